"""Decide which API requests to let through, per client, with two classic rate-limiting schemes.

Times are seconds since midnight, taken from the gateway's access log.
"""


def parse_clock(text):
    """Seconds since midnight for a log timestamp such as '14:05:09'."""
    hours, minutes, seconds = text.strip().split(":")
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds)


def group_by_client(requests, since):
    """Each client's request times from `since` on, in order; requests are [time, client] pairs."""
    groups = {}
    for time, client in sorted(requests):
        if time < since:
            continue
        groups[client] = groups.get(client, []) + [time]
    return groups


def sliding_window(times, limit, window):
    """Allow a request while fewer than `limit` allowed requests fall in the last `window` seconds."""
    allowed = []
    decisions = []
    for time in times:
        recent = [t for t in allowed if t > time - window]
        if len(recent) < limit:
            allowed.append(time)
            decisions.append(True)
        else:
            decisions.append(False)
    return decisions


def token_bucket(times, capacity, refill_rate):
    """Each request spends a token; tokens come back at `refill_rate` a second, up to `capacity`."""
    tokens = capacity
    last = times[0] if times else 0
    decisions = []
    for time in times:
        tokens = min(capacity, tokens + (time - last) * refill_rate)
        last = time
        if tokens >= 1:
            tokens -= 1
            decisions.append(True)
        else:
            decisions.append(False)
    return decisions


def retry_after(times, limit, window, now):
    """Seconds a client must wait at `now` before another request fits in its sliding window."""
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        return 0
    return recent[-limit] + window - now  # the limit-th newest request has to leave the window


def rejection_rate(decisions):
    """Percentage of requests turned away, to one decimal place."""
    if not decisions:
        return 0.0
    rejected = len(decisions) - decisions.count(True)
    return round(100 * rejected / len(decisions), 1)


def client_report(client, decisions):
    """A line for the operations dashboard, e.g. 'alice: 3 allowed, 1 rejected'."""
    allowed = sum(1 for decision in decisions if decision)
    rejected = len(decisions) - allowed
    line = client + ": " + str(allowed) + " allowed, " + str(rejected) + " rejected"
    if rejected > allowed:
        line += " (throttled)"
    return line


if __name__ == "__main__":
    log = [["09:00:01", "alice"], ["09:00:02", "bob"], ["09:00:02", "alice"], ["09:00:03", "alice"]]
    clients = group_by_client([[parse_clock(clock), client] for clock, client in log], parse_clock("09:00:00"))
    for name, times in clients.items():
        print(client_report(name, sliding_window(times, 2, 10)), token_bucket(times, 2, 0.5))
