"""Stage 2, the analysis: each experiment's statistics, trends, idea lineage and the
portfolio's insights, as plain data; and how its numbers read to people.
"""
