"""The installed scaffold's version: one place, imported by the package and the template store."""

__version__ = "0.1.0"
