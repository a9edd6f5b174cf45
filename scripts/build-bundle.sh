#!/usr/bin/env bash
# Build the installable product (see README, "Install"): dist/landcomp/, a self-contained folder with the
# programs `landcomp` (the desktop app, the options of main.py) and `landcomp-cli` (the `landcomp` command),
# and dist/landcomp_<version>_amd64.deb, which installs it under /opt/landcomp with a menu entry.
# PyInstaller runs in its own venv, build/venv, made from packaging/requirements-build.txt (pinned);
# the spec is packaging/landcomp.spec, the .deb is made by packaging/make_deb.py. No arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 0 ] || { echo "usage: scripts/build-bundle.sh" >&2; exit 2; }

scripts/dev.sh system  # binutils (strip, objdump), dpkg-dev, and the fonts the bundle carries

venv=build/venv
stamp=$venv/.landcomp-requirements
[ -x $venv/bin/python ] || "${PYTHON:-python3}" -m venv $venv
if [ ! -f $stamp ] || [ packaging/requirements-build.txt -nt $stamp ]; then
  $venv/bin/python -m pip install -q -r packaging/requirements-build.txt
  touch $stamp
fi

rm -rf dist/landcomp dist/landcomp_*_amd64.deb
started=$SECONDS
$venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/landcomp.spec
echo "landcomp: dist/landcomp built in $((SECONDS - started)) s," \
  "$(du -s --apparent-size --block-size=1M dist/landcomp | cut -f1) MiB"
started=$SECONDS
$venv/bin/python packaging/make_deb.py
echo "landcomp: .deb built in $((SECONDS - started)) s"
