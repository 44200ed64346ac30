"""The ``kaizen`` command line for authors: ``new``, ``check`` and ``schema``."""

from .main import main

__all__ = ["main"]
