"""Stage 4, the pages: every generated page and file of a portal, as Markdown, HTML and
JSON any site generator can take, with the templates and browser assets they need.
"""
