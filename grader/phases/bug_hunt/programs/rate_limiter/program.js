'use strict';
// Decide which API requests to let through, per client, with two classic rate-limiting schemes.
//
// Times are seconds since midnight, taken from the gateway's access log.

// Seconds since midnight for a log timestamp such as '14:05:09'.
function parseClock(text) {
  const [hours, minutes, seconds] = text.trim().split(':').map((part) => parseInt(part, 10));
  return hours * 3600 + minutes * 60 + seconds;
}

// Each client's request times from `since` on, in order; requests are [time, client] pairs.
function groupByClient(requests, since) {
  const groups = {};
  const ordered = [...requests].sort((a, b) => a[0] - b[0]);
  for (const [time, client] of ordered) {
    if (time < since) {
      continue;
    }
    if (!(client in groups)) {
      groups[client] = [];
    }
    groups[client].push(time);
  }
  return groups;
}

// Allow a request while fewer than `limit` allowed requests fall in the last `window` seconds.
function slidingWindow(times, limit, window) {
  const allowed = [];
  const decisions = [];
  for (const time of times) {
    const recent = allowed.filter((t) => t > time - window);
    if (recent.length < limit) {
      allowed.push(time);
      decisions.push(true);
    } else {
      decisions.push(false);
    }
  }
  return decisions;
}

// Each request spends a token; tokens come back at `refillRate` a second, up to `capacity`.
function tokenBucket(times, capacity, refillRate) {
  let tokens = capacity;
  let last = times[0];
  const decisions = [];
  for (const time of times) {
    tokens = Math.min(capacity, tokens + (time - last) * refillRate);
    last = time;
    if (tokens >= 1) {
      tokens -= 1;
      decisions.push(true);
    } else {
      decisions.push(false);
    }
  }
  return decisions;
}

// Seconds a client must wait at `now` before another request fits in its sliding window.
function retryAfter(times, limit, window, now) {
  const recent = times.filter((t) => t > now - window).sort((a, b) => a - b);
  if (recent.length < limit) {
    return 0;
  }
  return recent[recent.length - limit] + window - now;
}

// Percentage of requests turned away, to one decimal place.
function rejectionRate(decisions) {
  if (!decisions.length) {
    return 0;
  }
  const rejected = decisions.length - decisions.filter((decision) => decision).length;
  return Math.round((1000 * rejected) / decisions.length) / 10;
}

// A line for the operations dashboard, e.g. 'alice: 3 allowed, 1 rejected'.
function clientReport(client, decisions) {
  const allowed = decisions.filter((decision) => decision).length;
  const rejected = decisions.length - allowed;
  let line = client + ': ' + allowed + ' allowed, ' + rejected + ' rejected';
  if (rejected > allowed) {
    line += ' (throttled)';
  }
  return line;
}

if (require.main === module) {
  const log = [['09:00:01', 'alice'], ['09:00:02', 'bob'], ['09:00:02', 'alice'], ['09:00:03', 'alice']];
  const clients = groupByClient(log.map(([clock, client]) => [parseClock(clock), client]), parseClock('09:00:00'));
  for (const [name, times] of Object.entries(clients)) {
    console.log(clientReport(name, slidingWindow(times, 2, 10)), tokenBucket(times, 2, 0.5));
  }
}

module.exports = { parseClock, groupByClient, slidingWindow, tokenBucket, retryAfter, rejectionRate, clientReport };
