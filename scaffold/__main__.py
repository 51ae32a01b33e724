"""`python -m scaffold`."""

from scaffold.entry import main

main()
