# Shared helpers for the scripts in this folder. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# apt_install PKG... — install Debian packages that are missing (needs root or sudo).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "apt-get install ${missing[*]}"
  # Wait for another apt/dpkg (unattended upgrades, a parallel set-up) instead of failing at once.
  local wait=(-o DPkg::Lock::Timeout=600)
  $sudo apt-get "${wait[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
}

# read_list FILE — package names from a list file, comments and blanks dropped.
read_list() { grep -vE '^\s*(#|$)' "$1" | awk '{print $1}'; }

# ensure_venv [EXTRAS] — create .venv and install the project (with extras such as "test").
ensure_venv() {
  local extras="${1:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  local spec="$ROOT"
  [ -n "$extras" ] && spec="$ROOT[$extras]"
  log "installing Python dependencies"
  pip_install -e "$spec"
}

# pip_install ARGS... — pip install into .venv, quiet, without this machine's index-location warnings;
# fails when pip fails.
pip_install() {
  local status=0
  "$VENV/bin/pip" install -q --disable-pip-version-check "$@" 2>&1 \
    | { grep -vE '^(WARNING: Location|DEPRECATION)' || true; } || status=$?
  return "$status"
}
