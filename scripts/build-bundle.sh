#!/usr/bin/env bash
# Build the installable product (see README, "Install"): dist/landcomp/, a self-contained folder with the
# programs `landcomp` (the desktop app, the options of main.py) and `landcomp-cli` (the `landcomp` command),
# and dist/landcomp_<version>_amd64.deb, which installs it under /opt/landcomp with a menu entry.
# PyInstaller runs in its own venv, build/venv, made from packaging/requirements-build.txt (pinned);
# the spec is packaging/landcomp.spec, the .deb is made by packaging/make_deb.py. No arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
用法 / usage: scripts/build-bundle.sh
构建安装包 dist/landcomp/(程序 landcomp 和 landcomp-cli)及 dist/landcomp_<版本>_amd64.deb,不接受参数。
Builds the installable product, dist/landcomp/ (the programs landcomp and landcomp-cli) and
dist/landcomp_<version>_amd64.deb. It takes no arguments.
EOF
}
if [ $# -eq 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
  usage
  exit 0
fi
if [ $# -gt 0 ]; then
  given=$(printf ' %q' "$@")   # '' for an empty one
  echo "scripts/build-bundle.sh: 本脚本不接受参数:${given# } / this script takes no arguments: ${given# }" >&2
  exit 2
fi

scripts/dev.sh system  # binutils, icu-devtools, g++ and python3-dev, dpkg-dev, and the fonts the bundle carries

# Made afresh when the pins change. numpy is built from its source without BLAS, its own loops instead of
# the wheel's OpenBLAS (26 MB with its Fortran runtime, for matrix products the project summary never
# computes, and once stripped it no longer loads), and without SIMD variants for newer processors, which
# the summary's arrays of a few thousand rows do not need: 10 minutes on a busy 2-core machine, once per venv.
venv=build/venv
stamp=$venv/.landcomp-requirements
if [ ! -f $stamp ] || [ packaging/requirements-build.txt -nt $stamp ]; then
  rm -rf $venv
  "${PYTHON:-python3}" -m venv $venv
  # numpy first, named on the command line with its build settings: installed from the requirements file with
  # them, pip 23.2 built it with none (BLAS "auto", every SIMD variant), and the spec then stopped the build
  $venv/bin/python -m pip install -q "$(grep -m1 '^numpy==' packaging/requirements-build.txt)" --no-binary numpy \
    -C setup-args=-Dblas=none -C setup-args=-Dlapack=none -C setup-args=-Dcpu-dispatch=none
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
