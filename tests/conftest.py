"""Shared test set-up, kept minimal: Qt tests run headless unless the caller chose a platform."""
import os

# scripts/dev.sh exports this too; a bare `pytest` run on a machine without a display would
# otherwise abort in the first Qt test.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
