"""`python -m cristal` runs the CLI."""

from cristal.cli import main

main()
