"""The installable product as a user's machine runs it: scripts/build-bundle.sh builds dist/landcomp and the
.deb once per run; both programs run with an empty environment and no system fonts, the command on a
project file (the project summary with pandas) and on a PostgreSQL server; the .deb installs, runs and
goes away again (as root, which CI and the development machines are)."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
EXAMPLE = ROOT / "examples" / "household.json"
FONT_FOLDERS = [folder for folder in ("/usr/share/fonts", "/usr/local/share/fonts") if Path(folder).is_dir()]
TOTAL = "546616.30"  # the README's total for examples/household.json
AS_OF = "2023-07-10"  # the summary's funding forecast is as of this day, not the day the test runs
RARE = "㐀𪜀"  # CJK Extensions A and C: of the bundled fonts only HanaMin A and HanaMin B draw them

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("dpkg-deb"),
                       reason="the bundle test hides the system fonts and installs a .deb: root on Debian"),
]


@pytest.fixture(scope="session")
def build() -> subprocess.CompletedProcess:
    """scripts/build-bundle.sh, run once for the whole run on the code under test."""
    built = subprocess.run([str(ROOT / "scripts/build-bundle.sh")], cwd=ROOT, capture_output=True, text=True,
                           timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return built


@pytest.fixture(scope="session")
def bundle(build) -> Path:
    """dist/landcomp (and beside it the .deb)."""
    return DIST / "landcomp"


@pytest.fixture(scope="session")
def display():
    """A virtual X screen (the office laptop's), for the desktop app with its real X11 plugin."""
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    number = server.stdout.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


def bare(command: list[str], home: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`command` as on a machine with no fonts and an empty environment: its own mount namespace with an
    empty tmpfs over each system font folder, and `env -i` with only PATH and HOME (and `env`)."""
    hide = " && ".join(f"mount -t tmpfs tmpfs {folder}" for folder in FONT_FOLDERS) or "true"
    variables = ["PATH=/usr/bin:/bin", f"HOME={home}", *(f"{key}={value}" for key, value in env.items())]
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           f'{hide} && exec env -i {" ".join(variables)} "$@"', "sh", *command],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def fonts_of(pdf: Path) -> list[tuple[str, ...]]:
    """pdffonts' rows: name, type, encoding, embedded, subset, unicode map."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [tuple(line.split()[:6]) for line in listing.splitlines()[2:]]


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def cells(workbook: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(workbook)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def rare_case(folder: Path) -> Path:
    """The example household with rare characters in the household head's name."""
    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case["household"]["head"] = "王" + RARE + "国"
    path = folder / "rare.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    return path


def sheets_from_the_venv(case: Path, folder: Path) -> tuple[Path, Path]:
    """The same case printed by the development install, with the system's fonts."""
    folder.mkdir()
    done = subprocess.run([sys.executable, "-m", "calculator", "compensation", str(case), "--pdf",
                           str(folder / "sheet.pdf"), "--xlsx", str(folder / "sheet.xlsx")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return folder / "sheet.pdf", folder / "sheet.xlsx"


def test_the_command_prints_the_same_sheets_with_no_fonts_installed(bundle, tmp_path):
    case = rare_case(tmp_path)
    done = bare([str(bundle / "landcomp-cli"), "compensation", str(case), "--pdf", "sheet.pdf", "--xlsx",
                 "sheet.xlsx"], tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "合计: 546,616.30  人民币伍拾肆万陆仟陆佰壹拾陆元叁角" in done.stdout
    fonts = fonts_of(tmp_path / "sheet.pdf")
    assert {row[0].split("+")[1] for row in fonts} == {"WenQuanYiMicroHei-0", "HanaMinA", "HanaMinB"}
    assert all(row[3] == "yes" for row in fonts), fonts  # every font embedded: none left to the viewer
    pdf, workbook = sheets_from_the_venv(case, tmp_path / "venv")
    assert fonts == fonts_of(pdf)
    assert text_of(tmp_path / "sheet.pdf") == text_of(pdf) and RARE in text_of(pdf)
    assert cells(tmp_path / "sheet.xlsx") == cells(workbook)


def ledger(bundle: Path, folder: Path, *args) -> subprocess.CompletedProcess:
    """`landcomp-cli ledger …` from the bundle, in `folder` as a bare machine runs it, recording 李明 as the actor."""
    return bare([str(bundle / "landcomp-cli"), "ledger", *map(str, args)], folder, folder, LANDCOMP_ACTOR="李明")


def summary_from_the_venv(project: Path, folder: Path) -> tuple[dict, Path, Path]:
    """The same project's summary (JSON, PDF and workbook) made by the development install."""
    folder.mkdir()
    done = subprocess.run([sys.executable, "-m", "calculator", "ledger", "summary", str(project), "--json", "--as-of",
                           AS_OF, "--pdf", str(folder / "s.pdf"), "--xlsx", str(folder / "s.xlsx")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), folder / "s.pdf", folder / "s.xlsx"


def test_the_command_makes_the_project_summary_with_pandas(bundle, tmp_path):
    project = tmp_path / "堡子片区.landcomp"
    for args in (["create", project, "--name", "堡子片区"], ["save", project, "001", EXAMPLE],
                 ["save", project, "002", rare_case(tmp_path)]):
        done = ledger(bundle, tmp_path, *args)
        assert done.returncode == 0, done.stderr
    done = ledger(bundle, tmp_path, "summary", project, "--json", "--as-of", AS_OF, "--pdf", "s.pdf", "--xlsx", "s.xlsx")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["households"] == 2 and summary["counted"] == 2
    assert summary["total"] == summary["owed"] == "1093232.60"  # two households of the README's 546,616.30
    assert summary["by_status"]["已测算"]["households"] == 2
    venv, pdf, workbook = summary_from_the_venv(project, tmp_path / "venv")
    assert summary == venv
    assert "汇总与审计" in text_of(tmp_path / "s.pdf") and text_of(tmp_path / "s.pdf") == text_of(pdf)
    assert all(row[3] == "yes" for row in fonts_of(tmp_path / "s.pdf"))
    assert cells(tmp_path / "s.xlsx") == cells(workbook)


def test_the_command_keeps_a_project_on_a_postgresql_server(bundle, pg_url, tmp_path):
    for args in (["create", pg_url, "--name", "堡子片区"], ["save", pg_url, "001", EXAMPLE]):
        done = ledger(bundle, tmp_path, *args)
        assert done.returncode == 0, done.stderr
    listed = ledger(bundle, tmp_path, "list", pg_url, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(row["household"], row["total"]) for row in json.loads(listed.stdout)["households"]] == [("001", TOTAL)]


def test_the_desktop_app_starts_on_x11_with_no_fonts_installed(bundle, display, tmp_path):
    done = bare([str(bundle / "landcomp"), "--smoke"], tmp_path, tmp_path, DISPLAY=display)
    assert done.returncode == 0, done.stderr
    assert "smoke ok: schedule baozi-2023.1 (155 items)" in done.stdout
    assert list((tmp_path / ".cache").rglob("schedule-baozi-2023-*.pickle"))  # the user's files under HOME


def test_the_bundle_carries_what_it_runs_nothing_of_pytables_and_at_most_200_mb(bundle, build):
    internal = bundle / "_internal"
    assert sorted(path.name for path in (internal / "fonts").iterdir()) == [
        "HanaMinA.ttf", "HanaMinB.ttf", "LICENSE-hanazono.txt", "LICENSE-wqy-microhei.txt", "wqy-microhei.ttc"]
    assert sorted(path.name for path in (internal / "tables").iterdir()) == [
        "baozi-2023-catalog-keys.txt", "baozi-2023.toml", "wutai-2022.toml"]
    assert {path.name for path in internal.rglob("*.qm")} == {"qt_zh_CN.qm", "qt_help_zh_CN.qm", "qtbase_zh_CN.qm"}
    assert {path.name for path in (internal / "ui" / "icons").iterdir()} == {  # the window icon (ui.app.ICONS)
        path.name for path in (ROOT / "ui" / "icons").glob("landcomp-*.png")}
    # PyTables' hook for the name `tables` would ask for tables._comp_lzo and tables._comp_bzip2 (PyInstaller
    # warns it cannot find them); packaging/hooks/hook-tables.py replaces it.
    assert "tables._comp" not in build.stdout + build.stderr
    # The goal: at most 200 MB unpacked (what `du --apparent-size` counts; a link counts as itself).
    size = sum(path.lstat().st_size for path in bundle.rglob("*"))
    assert size <= 200_000_000, f"the bundle is {size / 1e6:.1f} MB"


def dpkg(*args: str) -> subprocess.CompletedProcess:
    """dpkg, waiting (up to 10 minutes) while another package operation on this machine holds its lock."""
    deadline = time.monotonic() + 600
    while True:
        done = subprocess.run(["dpkg", *args], capture_output=True, text=True, timeout=600)
        if done.returncode == 0 or "lock" not in done.stderr or time.monotonic() > deadline:
            return done
        time.sleep(2)


@pytest.fixture
def machine_wide():
    """One bundle test at a time installs the package (another worktree's run may be at the same step)."""
    with open("/tmp/landcomp-deb-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_the_deb_installs_runs_and_uninstalls(bundle, display, machine_wide, tmp_path):
    deb = next(DIST.glob("landcomp_*_amd64.deb"))
    members = subprocess.run(["ar", "t", str(deb)], capture_output=True, text=True, check=True).stdout.split()
    assert members == ["debian-binary", "control.tar.xz", "data.tar.xz"]  # xz: older dpkg cannot read zstd
    depends = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True,
                             check=True).stdout
    assert "libc6 (>= 2.35)" in depends and "libcups2" in depends
    installed = dpkg("-i", str(deb))
    try:
        assert installed.returncode == 0, installed.stderr
        cli = bare(["landcomp-cli", "compensation", str(EXAMPLE), "--json"], tmp_path, tmp_path)
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout)["total"] == TOTAL
        gui = bare(["landcomp", "--smoke"], tmp_path, tmp_path, DISPLAY=display)
        assert gui.returncode == 0, gui.stderr
        entry = Path("/usr/share/applications/landcomp.desktop").read_text(encoding="utf-8")
        assert "Exec=/opt/landcomp/landcomp %f" in entry and "Icon=landcomp" in entry
        assert Path("/usr/share/icons/hicolor/256x256/apps/landcomp.png").is_file()
        # what it carries and under which licence, with the texts (none were installed: Qt's LGPL, Python's, the fonts')
        doc = Path("/usr/share/doc/landcomp")
        listed = (doc / "copyright").read_text(encoding="utf-8")
        for package in ("python 3.11", "pyside6-essentials 6.12.0: LGPL-3.0-only", "reportlab", "pandas", "openpyxl",
                        "psycopg-binary", "numpy", "pillow", "fonts"):
            assert f"\n{package}" in listed, package
        assert "/usr/share/common-licenses/LGPL-3" in listed and Path("/usr/share/common-licenses/LGPL-3").is_file()
        for text in ("python/LICENSE.txt", "reportlab/licenses/LICENSE", "fonts/LICENSE-hanazono.txt",
                     "fonts/LICENSE-wqy-microhei.txt", "psycopg-binary/licenses/LICENSE.txt",
                     # the libraries copied from this machine's packages, and those wheels carry (psycopg's OpenSSL,
                     # PySide6's ICU 73 under the licence Debian's ICU 72 states): none had a text
                     "libxcb-cursor0/copyright", "libsqlite3-0/copyright", "libssl3/copyright", "libicu72/copyright"):
            assert (doc / "licenses" / text).stat().st_size > 500, text
        assert "\nlibxcb-cursor0: as Debian's libxcb-cursor0 ships it, for libxcb-cursor.so.0" in listed
        assert "pyinstaller" not in listed and "\nlandcomp 0.1.0: the landcomp" in listed
    finally:
        removed = dpkg("-r", "landcomp")
    assert removed.returncode == 0, removed.stderr
    assert not Path("/opt/landcomp").exists() and not Path("/usr/bin/landcomp").exists()
    assert not Path("/usr/share/applications/landcomp.desktop").exists()
