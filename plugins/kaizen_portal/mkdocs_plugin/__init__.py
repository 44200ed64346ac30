"""The MkDocs adaptor: the plugin that hands the build's pages to MkDocs, and what it
does around MkDocs' own rendering (set generated HTML aside, sanitise write-ups, index).

The only package that imports MkDocs.
"""
