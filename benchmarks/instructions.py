"""Instructions a whole process runs, counted by valgrind's cachegrind: the figure two builds are compared by.

CPU time on this shared machine swings by a third within a minute, and by 2× within an hour; the
instructions a run executes do not (string hashing is made the same every run). Slow: about 50× a run,
and valgrind must be installed (it is not part of the set-up: the benchmarks are run by hand).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instructions(argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[int, str]:
    """The instructions `argv` runs to its end, and what it printed."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--log-file={folder}/log",
                                  f"--cachegrind-out-file={folder}/out", *argv], cwd=cwd, capture_output=True,
                                 text=True, env={**(os.environ if env is None else env), "PYTHONHASHSEED": "0"})
        except FileNotFoundError:
            raise SystemExit("--instructions needs valgrind (apt-get install valgrind)") from None
        said = Path(folder, "log").read_text(encoding="utf-8")
    refs = [line.split("refs:")[1] for line in said.splitlines() if "I" in line and "refs:" in line]
    if run.returncode or not refs:
        raise SystemExit(f"{' '.join(argv[:4])} … failed under valgrind ({run.returncode}): {run.stderr[-2000:]}")
    return int(refs[0].strip().replace(",", "")), run.stdout
