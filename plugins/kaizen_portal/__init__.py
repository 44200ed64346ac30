"""Kaizen portal: experiment write-ups in, a searchable results site out.

The stages run in this order, each a subpackage that imports only the ones before it:
``inputs`` -> ``analysis`` -> ``charts`` -> ``pages`` -> ``build``, then the adaptors that
drive the build: ``mkdocs_plugin`` (the only one that imports MkDocs) and ``cli``.
"""
