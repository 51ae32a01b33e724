"""`python -m scaffold`."""

from scaffold.entry import main

if __name__ == "__main__":  # not when a worker process of `lint-templates` imports it
    main()
