"""`python -m` entry point."""

from .cli import main

main()
