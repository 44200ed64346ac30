"""Stage 3, the charts: plotly figure specs as plain dicts, with captions that stand in
for them.
"""
