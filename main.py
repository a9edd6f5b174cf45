"""landcomp desktop app: `python main.py [CASE.json]`; `python main.py --smoke` checks an install."""
import sys


def main(argv=None) -> int:
    if getattr(sys, "frozen", False):   # a bundled program: the batch's worker processes start through it
        import multiprocessing
        multiprocessing.freeze_support()
    from ui.app import run
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
