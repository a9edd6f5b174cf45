"""landcomp desktop app: `python main.py [CASE.json]`; `python main.py --smoke` checks an install."""
import sys


def main(argv=None) -> int:
    if getattr(sys, "frozen", False):   # a bundle: its worker processes (batch sheets, the 台账's check) start here
        import multiprocessing
        multiprocessing.freeze_support()
    from ui.app import run
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
