"""The bundle's entry (packaging/landcomp.spec): started as `landcomp-cli` it is the `landcomp` command
(calculator/__main__.py), under any other name the desktop app (main.py). One program serves both, so the
Python code is carried once: on Linux landcomp-cli is a link to landcomp."""
import sys
from pathlib import PurePath

if PurePath(sys.argv[0]).stem == "landcomp-cli":
    from calculator.commands.cli import command
    command()
else:
    from main import main
    sys.exit(main())
