"""`landcomp … --pdf --xlsx` end to end, through `python -m calculator`."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pdfplumber
import pytest

ROOT = Path(__file__).resolve().parents[1]


def landcomp(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calculator", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("command, example, marker", [
    ("compensation", "examples/household.json", "546,616.30"),
    ("landprice", "examples/parcel.json", "509,400.00"),
])
def test_the_cli_writes_both_files_and_exits_0(tmp_path, command, example, marker):
    pdf, book = tmp_path / "out.pdf", tmp_path / "out.xlsx"
    done = landcomp(command, example, "--pdf", str(pdf), "--xlsx", str(book))
    assert done.returncode == 0, done.stderr
    with pdfplumber.open(pdf) as document:
        assert marker in "\n".join(page.extract_text() for page in document.pages)
    assert zipfile.is_zipfile(book)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf", "out.xlsx"]


def test_a_directory_that_does_not_exist_is_exit_2_and_nothing_is_written(tmp_path):
    missing = tmp_path / "no-such-folder"
    done = landcomp("compensation", "examples/household.json", "--pdf", str(missing / "out.pdf"),
                    "--xlsx", str(missing / "out.xlsx"))
    assert done.returncode == 2
    assert "目录不存在" in done.stderr and "no such directory" in done.stderr
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


def test_no_file_is_written_when_any_output_directory_is_missing(tmp_path) -> None:
    # A good PDF path with a bad workbook path: nothing at all may be written.
    pdf = tmp_path / "ok.pdf"
    run = subprocess.run([sys.executable, "-m", "calculator", "compensation", str(ROOT / "examples/household.json"),
                          "--pdf", str(pdf), "--xlsx", str(tmp_path / "missing" / "x.xlsx")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert not pdf.exists()
    assert list(tmp_path.iterdir()) == []
