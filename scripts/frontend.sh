#!/usr/bin/env bash
# Installs the browser libraries from npm (frontend/package-lock.json) and bundles them into
# lti_app/workbench/static/vendor/ with esbuild. Skipped when the bundle is newer than its inputs.
#   scripts/frontend.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

BUNDLE="lti_app/workbench/static/vendor/editor.bundle.js"

# The bundle is up to date when it is newer than the lock file and every entry module.
bundle_is_fresh() {
  [ -f "$BUNDLE" ] || return 1
  local input
  for input in frontend/package.json frontend/package-lock.json frontend/*.js; do
    [ "$BUNDLE" -nt "$input" ] || return 1
  done
}

if bundle_is_fresh; then
  log "front end: $BUNDLE is up to date"
  exit 0
fi

# Debian's npm is a separate package; NodeSource's nodejs bundles its own npm and conflicts with it.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm

log "front end: npm ci and esbuild"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
