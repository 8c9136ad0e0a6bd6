#!/usr/bin/env bash
# The one command that installs everything the tests need and runs the whole suite.
#   scripts/test.sh [pytest args...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# shellcheck disable=SC2046
apt_install $(read_list scripts/apt-run.txt) $(read_list scripts/apt-test.txt)
ensure_venv test
bash scripts/frontend.sh
bash scripts/services.sh
for extra in scripts/test-setup.d/*.sh; do
  [ -e "$extra" ] || continue
  log "setup: $(basename "$extra")"
  bash "$extra"
done

log "ruff"
"$VENV/bin/ruff" check lti_app grader worker config devlms tests bench
log "pytest"
export CR_TEST_POSTGRES_URL="${CR_TEST_POSTGRES_URL:-postgresql://cr_test:cr_test@127.0.0.1:5432/cr_test}"
export CR_TEST_REDIS_URL="${CR_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
exec "$VENV/bin/pytest" -q -rs "$@"
