"""`python -m calculator` runs the landcomp command line."""
from calculator.commands.cli import command

command()
