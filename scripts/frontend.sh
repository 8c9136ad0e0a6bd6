#!/usr/bin/env bash
# Installs the browser libraries from npm (frontend/package-lock.json) and bundles the editor (CodeMirror), the
# terminal (xterm.js) and the diff view (diff2html with highlight.js) into lti_app/workbench/static/vendor/ with
# esbuild (and acorn, which the Bug Hunt's bank builder runs with node), and
# packs ESLint into grader/phases/code_crucible/build/ for the Code Crucible's linter, which runs inside the sandbox.
# Skipped when the bundles are newer than their inputs.
#   scripts/frontend.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

BUNDLE="lti_app/workbench/static/vendor/editor.bundle.js"
TERMINAL="lti_app/workbench/static/vendor/terminal.bundle.js"  # xterm.js (+ terminal.bundle.css)
DIFF="lti_app/workbench/static/vendor/diff.bundle.js"  # diff2html + highlight.js (+ diff.bundle.css)
LINTER="grader/phases/code_crucible/build/eslint.br.b64"

# The bundle is up to date when it is newer than the lock file and every entry module.
bundle_is_fresh() {
  [ -f "$BUNDLE" ] || return 1
  [ -f "$TERMINAL" ] || return 1
  [ -f "$DIFF" ] || return 1
  # The Bug Hunt's bank builder parses JavaScript with acorn from frontend/node_modules (not bundled).
  [ -f frontend/node_modules/acorn/package.json ] || return 1
  [ -f "$LINTER" ] || return 1
  local input
  for input in frontend/package.json frontend/package-lock.json frontend/*.js; do
    [ "$BUNDLE" -nt "$input" ] || return 1
    [ "$TERMINAL" -nt "$input" ] || return 1
    [ "$DIFF" -nt "$input" ] || return 1
    [ "$LINTER" -nt "$input" ] || return 1
  done
}

if bundle_is_fresh; then
  log "front end: $BUNDLE is up to date"
  exit 0
fi

# Debian's npm is a separate package; NodeSource's nodejs bundles its own npm and conflicts with it.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm

log "front end: npm ci, esbuild and the packed linter"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
