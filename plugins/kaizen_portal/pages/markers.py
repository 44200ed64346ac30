"""The marks a generated page carries for the site generator's adaptor to act on.

Both are HTML comments, so a page that reaches a reader unprocessed shows nothing odd.
"""

# Everything after this mark is the author's write-up, the one part rendered from the
# author's Markdown; its HTML is cleaned before a reader gets it (sanitize.py).
WRITEUP_MARKER = "<!-- kaizen:writeup -->"
# Where a home page wants the dashboard; the adaptor puts its HTML there.
DASHBOARD_MARKER = "<!-- kaizen:dashboard -->"
