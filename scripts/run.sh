#!/usr/bin/env bash
# The one command that installs and starts CodeResidency on embedded defaults: SQLite file, in-process
# queue, local bubblewrap sandbox, offline simulation engine, and the dev-only LMS at /dev/.
#   scripts/run.sh            (CR_PORT=5000 by default; any CR_* setting may be exported first)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# shellcheck disable=SC2046
apt_install $(read_list scripts/apt-run.txt)
ensure_venv
bash scripts/frontend.sh

PORT="${CR_PORT:-5000}"
export CR_DATA_DIR="${CR_DATA_DIR:-$ROOT/var}"
export CR_PUBLIC_BASE_URL="${CR_PUBLIC_BASE_URL:-http://localhost:$PORT}"
export CR_DEV_PLATFORM="${CR_DEV_PLATFORM:-true}"
export FLASK_APP="lti_app:create_app()"

log "applying database migrations"
"$VENV/bin/flask" db upgrade >/dev/null
log "checking that the sandbox can run code on this host"
"$VENV/bin/flask" worker check-sandbox

cat <<MSG

  CodeResidency is starting on $CR_PUBLIC_BASE_URL
  Open $CR_PUBLIC_BASE_URL/dev/ to launch as a student or an instructor from the dev LMS
  (Canvas/Moodle set-up: see README.md). Stop with Ctrl-C.

MSG
# One process (the in-process queue lives in it), several threads (the dev LMS calls back into the tool).
exec "$VENV/bin/gunicorn" --bind "127.0.0.1:$PORT" --workers 1 --threads 8 --worker-class gthread \
  --access-logfile - "lti_app.wsgi:app"
