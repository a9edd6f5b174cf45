"""Build dist/landcomp_<version>_amd64.deb from the bundle in dist/landcomp (scripts/build-bundle.sh runs it).

The package installs the bundle under /opt/landcomp, links /usr/bin/landcomp (the desktop app) and
/usr/bin/landcomp-cli (the `landcomp` command), and adds the menu entry and its icons. Its Depends is
measured from the bundle, as dpkg-shlibdeps would: each shared library a bundled file needs and the
bundle does not carry is looked up on this (Debian) machine — the package that holds it, at the lowest
version whose symbols file provides every symbol the bundle takes from it (GLIBC_2.35 → libc6 (>= 2.35)).
`python packaging/make_deb.py --depends` prints that list and, for each package, the file that sets its
version.
"""
from __future__ import annotations

import functools
import importlib.metadata
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "landcomp"
STAGE = ROOT / "build" / "deb"
PREFIX = "opt/landcomp"
PROGRAMS = ("landcomp", "landcomp-cli")
DOC = "usr/share/doc/landcomp"
# The build venv's packages that build the bundle and are not in it (packaging/requirements-build.txt).
BUILD_ONLY = frozenset({"pyinstaller", "pyinstaller-hooks-contrib", "altgraph", "packaging", "setuptools", "pip",
                        "pefile", "pywin32-ctypes"})
# A package's licence texts among its metadata files (LICENSE, LICENCE.rst, COPYING.txt, licenses/…, AUTHORS).
_LICENCE_FILE = re.compile(r"licen[cs]e|copying|notice|authors", re.IGNORECASE)
# Qt for Python's wheels carry no licence text: the LGPL's is Debian's own, and where Qt's source is offered.
QT_NOTE = ("Qt and Qt for Python (PySide6, shiboken6) are used under the GNU LGPL version 3: its text is "
           "/usr/share/common-licenses/LGPL-3 (and the GPL's, which it extends, /usr/share/common-licenses/GPL-3). "
           "They are the unmodified libraries of the PyPI wheels, linked dynamically (opt/landcomp/_internal/PySide6); "
           "their source is at https://download.qt.io/official_releases/qt/ and "
           "https://download.qt.io/official_releases/QtForPython/ .")
# An undefined dynamic symbol as `objdump -T` prints it: "(GLIBC_2.2.5) free", "Base  inflateEnd" or "  cupsUser".
_UNDEFINED = re.compile(r"\*UND\*\s+[0-9a-f]+\s+(?:\(?([\w.]+)\)?\s+)?(\S+)$")


def objdump(flag: str, paths: list[Path]) -> dict[Path, list[str]]:
    """`objdump flag` of every file in one run, as each file's lines."""
    lines: dict[Path, list[str]] = {}
    current: list[str] = []
    output = subprocess.run(["objdump", flag, *map(str, paths)], capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        name, sep, rest = line.partition(":     file format ")
        if sep:
            current = lines.setdefault(Path(name), [])
        else:
            current.append(line)
    return lines


def elf_files(bundle: Path) -> list[Path]:
    """Every ELF file of the bundle (programs, extension modules, libraries, Qt plugins)."""
    return sorted(path for path in bundle.rglob("*") if path.is_file() and not path.is_symlink()
                  and path.open("rb").read(4) == b"\x7fELF")


def needed(lines: list[str]) -> list[str]:
    """The shared libraries named DT_NEEDED in a file's `objdump -p`."""
    return [line.split()[1] for line in lines if line.split()[:1] == ["NEEDED"]]


def undefined_symbols(lines: list[str]) -> set[str]:
    """The dynamic symbols a file takes from other libraries (its `objdump -T`), as "name@VERSION" ("name@Base"
    unversioned)."""
    return {f"{match[2]}@{match[1] or 'Base'}" for match in map(_UNDEFINED.search, lines) if match}


@functools.cache
def linker_cache() -> dict[str, Path]:
    """The 64-bit libraries the dynamic linker knows on this machine (`ldconfig -p`), by soname."""
    found = {}
    for line in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout.splitlines():
        name, _, target = line.strip().partition(" => ")
        if target and "x86-64" in name:
            found.setdefault(name.split()[0], Path(target))
    return found


def system_path(soname: str) -> Path:
    """Where the dynamic linker finds `soname` on this machine."""
    if soname not in linker_cache():
        raise SystemExit(f"make_deb: the bundle needs {soname}, which this machine does not have")
    return linker_cache()[soname]


@functools.cache
def owning_package(path: Path) -> str:
    """The Debian package that installed `path` (merged /usr: asked as /lib/… and /usr/lib/…)."""
    text = str(path)
    for candidate in (text, text.removeprefix("/usr"), "/usr" + text, str(path.resolve())):
        found = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0]
    raise SystemExit(f"make_deb: no Debian package holds {path}")


# A library a wheel carries under a name of its own, as auditwheel writes it: libssl-81ffa89e.so.3 for libssl.so.3
_VENDORED = re.compile(r"^(lib[\w+.]*?)-[0-9a-f]{8}(\.so.*)$")


def carried_packages(bundle: Path = BUNDLE) -> dict[str, list[str]]:
    """The Debian packages of this machine holding a library the bundle carries, with those libraries: a copy of
    the system's (libxcb-cursor), one a wheel vendored under a name of its own (psycopg's libssl-81ffa89e.so.3), or
    another version of one where this machine has the library at another (PySide6's ICU 73, Debian's libicu72): the
    licence each is used under is its Debian package's copyright file (OpenLDAP's libldap.so.2 as libldap-2.5's)."""
    found: dict[str, list[str]] = {}
    for path in elf_files(bundle):
        name = _VENDORED.sub(r"\1\2", path.name)
        base = name.partition(".so")[0]   # another version: libicuuc.so.72 for .73, libldap-2.5.so.0 for libldap.so.2
        system = linker_cache().get(name) or next(
            (where for prefix in (f"{base}.so.", f"{base}-") for soname, where in sorted(linker_cache().items())
             if soname.startswith(prefix)), None)
        if ".so" not in name or system is None:
            continue
        try:
            package = owning_package(system)
        except SystemExit:   # a library no package installed (built by hand): none to take a licence from
            continue
        found.setdefault(package, []).append(path.name)
    return found


def version_greater(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0


def minimal_version(package: str, symbols: dict[str, Path]) -> tuple[str, Path | None]:
    """The lowest version of `package` providing every symbol in `symbols` (from its symbols file; "" when any
    version will do), with the bundled file that needs the newest one."""
    info = Path("/var/lib/dpkg/info")
    files = [*info.glob(f"{package}:*.symbols"), *info.glob(f"{package}.symbols")]
    needs: dict[str, Path] = {}  # each minimal version named, and one file needing it
    for line in files[0].read_text(encoding="utf-8").splitlines() if files else []:
        parts = line.split()
        if line.startswith(" ") and len(parts) >= 2 and parts[0] in symbols and parts[1] not in ("0", *needs):
            needs[parts[1]] = symbols[parts[0]]
    best = ""
    for version in needs:
        if not best or version_greater(version, best):
            best = version
    return best, needs.get(best)


def depends(bundle: Path = BUNDLE) -> list[tuple[str, str, Path | None]]:
    """(package, minimal version or "", the file needing it) for every library the bundle takes from the system."""
    files = elf_files(bundle)
    carried = {path.name for path in bundle.rglob("*")}
    headers, symbols_of = objdump("-p", files), objdump("-T", files)
    packages: dict[str, dict[str, Path]] = {}
    for path in files:
        wanted = [name for name in needed(headers[path]) if name not in carried]
        symbols = undefined_symbols(symbols_of[path]) if wanted else set()
        for soname in wanted:
            entry = packages.setdefault(owning_package(system_path(soname)), {})
            entry.update((symbol, path) for symbol in symbols if symbol not in entry)
    return [(package, *minimal_version(package, symbols)) for package, symbols in sorted(packages.items())]


def depends_field(found: list[tuple[str, str, Path | None]]) -> str:
    return ", ".join(f"{package} (>= {version})" if version else package for package, version, _ in found)


def project_version() -> str:
    """The version calculator/__init__.py names (pyproject.toml takes it from there), read without importing it."""
    return re.search(r'^__version__ = "([^"]+)"$', (ROOT / "calculator" / "__init__.py").read_text(encoding="utf-8"),
                     re.MULTILINE).group(1)


def _name(distribution: importlib.metadata.Distribution) -> str:
    return re.sub(r"[-_.]+", "-", distribution.metadata["Name"]).lower()


def bundled_distributions() -> list[importlib.metadata.Distribution]:
    """The Python packages the bundle carries: the build venv's (this process runs in it), less those that build, and
    landcomp's own (named first in the copyright file; its metadata, found when run from the checkout, says nothing)."""
    found = {_name(d): d for d in importlib.metadata.distributions()}
    return [found[name] for name in sorted(found) if name not in BUILD_ONLY | {"landcomp"}]


def _licence(distribution: importlib.metadata.Distribution) -> str:
    """The licence its metadata names: the SPDX expression, else the License field's first line, else a classifier."""
    meta = distribution.metadata
    named = meta.get("License-Expression") or (meta.get("License") or "").strip().splitlines()[:1]
    if isinstance(named, list):
        named = named[0] if named and named[0] != "UNKNOWN" else ""
    classifiers = [c.rpartition(" :: ")[2] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return named or ", ".join(classifiers) or "(not stated: see its files)"


def write_licences(doc: Path) -> None:
    """doc/copyright and doc/licenses/: what the package carries and under which licence, with each text it ships
    (a .deb carried none: Qt's LGPL, Python's licence, the fonts' were nowhere on an installed machine)."""
    texts = doc / "licenses"
    entries = [("landcomp", project_version(), "the landcomp developers' own work", [])]
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.is_file():
        entries.append(("python", sys.version.split()[0], "PSF-2.0 (Python Software Foundation License)",
                        [(python_licence, Path("LICENSE.txt"))]))
    for distribution in bundled_distributions():
        files = [(Path(distribution.locate_file(f)), Path(*f.parts[1:]))
                 for f in distribution.files or () if f.parts[0].endswith(".dist-info") and len(f.parts) > 1
                 and _LICENCE_FILE.search(str(Path(*f.parts[1:])))]
        entries.append((_name(distribution), distribution.version, _licence(distribution), files))
    for package, libraries in sorted(carried_packages().items()):
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if copyright_file.is_file():
            entries.append((package, "", f"as Debian's {package} ships it, for {', '.join(sorted(set(libraries)))}",
                            [(copyright_file, Path("copyright"))]))
    fonts = sorted((ROOT / "packaging/fonts").glob("LICENSE-*.txt"))
    entries.append(("fonts", "", "the fonts the sheets embed (fonts/): see each text", [(f, Path(f.name)) for f in fonts]))
    lines = ["landcomp: the packages and files it carries, each with its licence.", "",
             "The texts are in /usr/share/doc/landcomp/licenses/<package>/.", "", QT_NOTE, ""]
    for name, version, licence, files in entries:
        lines.append(f"{name} {version}".rstrip() + f": {licence}")
        for source, relative in files:
            target = texts / name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            lines.append(f"    licenses/{name}/{relative.as_posix()}")
    (doc / "copyright").write_text("\n".join(lines) + "\n", encoding="utf-8")


def stage(version: str, depends_line: str) -> None:
    """Lay out the package's files under build/deb, as they will be installed."""
    shutil.rmtree(STAGE, ignore_errors=True)
    shutil.copytree(BUNDLE, STAGE / PREFIX, symlinks=True)
    (STAGE / "usr/bin").mkdir(parents=True)
    for program in PROGRAMS:
        (STAGE / "usr/bin" / program).symlink_to(f"/{PREFIX}/{program}")
    applications = STAGE / "usr/share/applications"
    applications.mkdir(parents=True)
    shutil.copy(ROOT / "packaging/linux/landcomp.desktop", applications)
    icons = STAGE / "usr/share/icons/hicolor"
    (icons / "scalable/apps").mkdir(parents=True)
    shutil.copy(ROOT / "ui/icons/landcomp.svg", icons / "scalable/apps/landcomp.svg")
    for png in (ROOT / "ui/icons").glob("landcomp-*.png"):  # the sizes packaging/make_icons.py draws
        size = png.stem.removeprefix("landcomp-")
        (icons / f"{size}x{size}/apps").mkdir(parents=True)
        shutil.copy(png, icons / f"{size}x{size}/apps/landcomp.png")
    write_licences(STAGE / DOC)
    installed_kb = sum(path.lstat().st_size for path in STAGE.rglob("*")) // 1024 + 1
    control = STAGE / "DEBIAN/control"
    control.parent.mkdir()
    control.write_text(f"""Package: landcomp
Version: {version}
Architecture: amd64
Maintainer: landcomp developers <landcomp@localhost>
Installed-Size: {installed_kb}
Depends: {depends_line}
Section: misc
Priority: optional
Description: 征地拆迁补偿测算与基准地价测算 (demolition compensation and land prices)
 landcomp computes one household's demolition compensation under the 堡子片区
 standard (文政发〔2023〕6号) and prices parcels from the 五台县 2022 benchmark land
 price tables (五政发〔2023〕15号), keeps a project's ledger, and prints the
 settlement sheets. It carries its own Python, Qt and the fonts the sheets embed.
""", encoding="utf-8")
    for path in [STAGE, *STAGE.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def main(argv: list[str]) -> int:
    found = depends()
    if argv[1:] == ["--depends"]:
        for package, version, culprit in found:
            needing = culprit.relative_to(BUNDLE) if culprit else ""
            print(f"{package:24} {'>= ' + version if version else '':14} {needing}")
        return 0
    version = project_version()
    stage(version, depends_field(found))
    target = ROOT / "dist" / f"landcomp_{version}_amd64.deb"
    # xz, not dpkg's default zstd: dpkg before 1.21.18 (Debian 11, Ubuntu 20.04 and the systems built on them)
    # cannot read zstd members.
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(STAGE), str(target)], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 2**20:.1f} MiB; Depends: {depends_field(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
