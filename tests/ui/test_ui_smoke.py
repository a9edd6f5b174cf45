"""`python main.py --smoke` builds the window with the schedules, paints it once and exits 0."""
from __future__ import annotations

import os
import subprocess
import sys

from driver import ROOT

HEAVY = ("pandas", "openpyxl", "reportlab")


def run(args, tmp_path, code=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    command = [sys.executable, "-c", code] if code else [sys.executable, str(ROOT / "main.py"), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_smoke_exits_zero_after_the_first_paint(tmp_path):
    first = run(["--smoke"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "smoke ok" in first.stdout and "155 items" in first.stdout
    again = run(["--smoke"], tmp_path)                        # second start: schedule from the cache
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "cache").rglob("schedule-baozi-2023-*.pickle"))) == 1  # one cache, kept for the second


def test_start_up_does_not_load_the_export_libraries(tmp_path):
    code = ("import sys; sys.argv = ['main.py', '--smoke']; import main; rc = main.main(['--smoke']);"
            f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r});"
            "print('heavy', heavy); sys.exit(rc or (1 if heavy else 0))")
    result = run([], tmp_path, code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bad_arguments_are_refused(tmp_path):
    result = run(["--frobnicate"], tmp_path)
    assert result.returncode == 2 and "usage" in result.stderr
