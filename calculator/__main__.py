"""`python -m calculator` runs the landcomp command line."""
import sys

from calculator.commands.cli import main

sys.exit(main())
