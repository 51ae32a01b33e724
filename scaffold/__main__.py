"""`python -m scaffold`."""

from scaffold.cli import main

main()
