"""landcomp desktop app: `python main.py [CASE.json]`; `python main.py --smoke` checks an install."""
import sys


def main(argv=None) -> int:
    from ui.app import run
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
