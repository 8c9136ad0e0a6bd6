"""Memory leak: fixed when the service survives a burst of customers browsing product pages (each with its
own session in the URL) both as it runs now and after a restart, with its cache bounded. A restart alone
frees the memory for a while and the service dies again. Accepted: the cache bounded (max_entries small
enough for the memory limit), the cache disabled, or code that stops the growth."""

from checklib import PREFIX, config, request, run, setting

VIEWS = 250  # product page views with distinct sessions: an unbounded cache dies long before the end
SAFE_ENTRIES = 166  # 96 MB + 2.5 MB per page stays within the 512 MB limit


def extra(check, service):
    for n in range(VIEWS):
        if not service.alive():
            break
        request("GET", f"{PREFIX}/products/{n % 8 + 1}?session=check{n:04d}", timeout=2.0)
    survived = service.alive()
    check.probe(service.mode, f"the service survives {VIEWS} product page views", survived,
                "the kernel killed it for using too much memory")
    if survived:
        health = request("GET", "/health").json() or {}
        entries = health.get("cache_entries")
        bounded = isinstance(entries, int) and entries <= SAFE_ENTRIES
        if not bounded:
            check.finding("cache_unbounded")
        check.probe(service.mode, "its memory stays bounded", bounded, "the cache keeps growing")


def decide(check):
    cfg = config("config/service.ini")
    if setting(cfg, "cache", "enabled", "true").lower() in ("0", "no", "false", "off"):
        return "cache_disabled"
    try:
        entries = int(setting(cfg, "cache", "max_entries", "100"))
    except ValueError:
        entries = -1
    return "cache_bounded" if 1 <= entries <= SAFE_ENTRIES else "code_fixed"


run(extra=extra, decide=decide)
