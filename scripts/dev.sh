#!/usr/bin/env bash
# Set up everything landcomp needs on a fresh Debian machine, then run one job.
#   scripts/dev.sh gui      set up, then open the desktop app (honours QT_QPA_PLATFORM)
#   scripts/dev.sh test     set up, then run the whole test suite
#   scripts/dev.sh setup    set up only
#   scripts/dev.sh system   install the system packages only (scripts/build-bundle.sh runs this)
# System packages are installed with apt-get when missing (root, or sudo when available);
# Python packages go into .venv beside this script's project.
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt's xcb platform plugin libraries, the CJK TrueType fonts the PDFs embed (WenQuanYi, and HanaMin
# for rare characters of CJK Extension A, B and beyond), poppler-utils (pdffonts/pdftoppm for the
# report tests), Xvfb for screenshots, venv support, and the PostgreSQL server binaries the tests start
# a throwaway cluster with (the packaged service itself is not needed); for the bundle build
# (scripts/build-bundle.sh) binutils, whose strip, objdump, as and ld it uses, icu-devtools, whose icupkg
# thins ICU's data, g++ and python3-dev, which build numpy from its source, and libcups2, which the
# bundle takes from the system (its .deb depends on it and the bundle test installs that .deb).
APT_PACKAGES=(python3-venv libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libglib2.0-0 fonts-wqy-microhei fonts-hanazono poppler-utils xvfb xauth postgresql binutils icu-devtools
  g++ python3-dev libcups2)

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "landcomp: missing system packages (${missing[*]}); run as root or install them." >&2
      return 1
    fi
  fi
  echo "landcomp: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  local py="${PYTHON:-python3}"
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  # Reinstall only when the project's requirements changed since the last install.
  local stamp=.venv/.landcomp-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat
    touch "$stamp"
  fi
}

job="${1:-gui}"
install_system_packages
[ "$job" = system ] && exit 0
install_python_packages
case "$job" in
  setup) ;;
  gui) shift || true; exec .venv/bin/python main.py "$@" ;;
  test)
    shift || true
    set +e
    QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" .venv/bin/python -m pytest "$@"
    rc=$?
    set -e
    # pytest exits 5 when it collected no tests (e.g. a -k filter matching nothing): say so
    # plainly rather than fail as if a test had broken.
    if [ $rc -eq 5 ]; then echo "landcomp: pytest collected no tests" >&2; exit 0; fi
    exit $rc ;;
  *) echo "usage: scripts/dev.sh [gui|test|setup|system] [args…]" >&2; exit 2 ;;
esac
