"""scripts/build-bundle.sh takes no arguments (interfaces.md, "The installable bundle"): --help says so, anything
else is refused, in Chinese and English. The build itself is tests/test_bundle.py's (slow)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build-bundle.sh"


def build_bundle(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """The script run from a copy in `folder`/scripts: one that took an argument for a build would stop at the
    missing scripts/dev.sh, never install or build anything."""
    (folder / "scripts").mkdir()
    copy = shutil.copy2(SCRIPT, folder / "scripts")
    return subprocess.run([copy, *args], capture_output=True, encoding="utf-8", timeout=30)


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_says_what_it_builds_and_that_it_takes_no_arguments(tmp_path, option):
    run = build_bundle(tmp_path, option)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith("用法 / usage: scripts/build-bundle.sh\n")
    assert "dist/landcomp_<版本>_amd64.deb" in run.stdout and "dist/landcomp_<version>_amd64.deb" in run.stdout
    assert "不接受参数" in run.stdout and "It takes no arguments" in run.stdout


@pytest.mark.parametrize("args, said", [(["foo"], "foo"), ([""], "''"), (["--help", "foo"], "--help foo"),
                                        (["--version"], "--version")])
def test_an_argument_is_refused_in_both_languages(tmp_path, args, said):
    """Each was answered `usage: scripts/build-bundle.sh` alone, --help and -h with exit 2."""
    run = build_bundle(tmp_path, *args)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"scripts/build-bundle.sh: 本脚本不接受参数:{said} / this script takes no arguments: {said}\n"
