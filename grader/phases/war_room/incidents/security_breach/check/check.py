"""Security breach: fixed when the leaked admin token and the debug override no longer open the admin routes,
the admin can still sign in with the (new) configured token, and customers are served as before (running
and after a restart). Switching authentication off, or locking the admin out, is not a fix."""

from checklib import config, request, run, setting

LEAKED_TOKEN = "9f2c41d7e8a04b6f93e1c5a7d2b8f06e"
MIN_TOKEN = 16


def extra(check, service):
    leaked = request("GET", "/admin/customers", headers={"Authorization": f"Bearer {LEAKED_TOKEN}"})
    if leaked.status == 200:
        check.finding("token_not_rotated")
    check.probe(service.mode, "the leaked admin token no longer works", leaked.status == 401,
                f"GET /admin/customers with the leaked token answered {leaked.status or 'nothing'}, not 401")
    token = setting(service.config(), "auth", "admin_token")
    check.probe(service.mode, "the admin token is long enough to resist guessing", len(token) >= MIN_TOKEN,
                f"the configured admin token has {len(token)} characters; use at least {MIN_TOKEN}")


def decide(check):
    cfg = config("config/service.ini")
    rotated = setting(cfg, "auth", "admin_token") not in ("", LEAKED_TOKEN)
    return "token_rotated_and_override_closed" if rotated else None


run(extra=extra, decide=decide)
