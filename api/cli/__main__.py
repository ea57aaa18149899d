"""`python -m api.cli` runs the `waymark` command line."""

from api.cli import main

main()
