"""Entry point for `python -m kmlint`."""

from kmlint.cli import main

main()
