"""Stage 1, the inputs: write-ups, the site_config catalog and daily CSVs, read and checked.

Every file becomes valid data or located problems; nothing here computes a statistic.
"""
