// Live progress of queued work (Run, Submit), shared by every phase's page. The server pushes the
// submission's state as server-sent events (queued with its position, running with elapsed time and the
// limit, done with the result); when EventSource is missing or keeps failing, it polls instead.
// Exposes window.CodeResidency.jobs: follow(view, handlers), describe(view), render(box, view), cancel(view, csrf).
(function () {
  "use strict";
  const CR = (window.CodeResidency = window.CodeResidency || {});

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text != null) node.textContent = text;
    return node;
  }

  const seconds = (n) => (Math.round(n * 10) / 10).toString().replace(/\.0$/, "") + " s";

  function stopped(outcome, limit) {
    return {
      timeout: "it hit the " + seconds(limit) + " time limit",
      memory: "it used more than the memory limit",
      processes: "it started more processes than allowed",
      output: "it printed more than the output limit",
      signal: "it was killed by a signal",
      cancelled: "you cancelled it",
    }[outcome];
  }

  function describe(s) {
    const limit = s.limit_seconds || 0;
    if (s.state === "queued") return "Queued" + (s.position != null ? " — position " + (s.position + 1) + " in the queue" : "") + "…";
    if (s.state === "running") {
      if (s.cancel_requested) return "Cancelling…";
      const elapsed = s.elapsed_seconds != null ? seconds(s.elapsed_seconds) + " of the " + seconds(limit) + " limit" : "limit " + seconds(limit);
      return "Running your code… (" + elapsed + ")";
    }
    if (s.state === "retry") return "Waiting to run again…";
    if (s.state === "failed") return s.error || "This could not be processed.";
    if (s.state === "done") {
      const r = s.result || {};
      if (r.error) return r.error;
      if (r.outcome === "cancelled") return "Cancelled: your program was stopped.";
      if (r.kind === "examples" && r.examples) {
        if (r.report && r.report.load_error) return "Done: your code did not load (see the error below).";
        return "Done: " + r.examples.passed + " of " + r.examples.total + " examples passed" + (r.hidden_shown ? ", and " + r.hidden_shown.passed + " of " + r.hidden_shown.total + " shown hidden tests" : "") + ".";
      }
      if (r.kind === "submit") {
        const why = stopped(r.outcome, r.limit_seconds || limit);
        return "Done: " + r.hidden.passed + " of " + r.hidden.total + " hidden tests passed" + (why && r.outcome !== "error" ? " (stopped: " + why + ")" : "") + ".";
      }
      const program = r.program || {};
      const why = stopped(program.outcome, r.limit_seconds || limit);
      if (why) return "Stopped: " + why + ".";
      if (program.outcome === "error") return "Done: your program ended with an error (exit code " + program.exit_code + ").";
      return "Done: your program finished.";
    }
    return s.state;
  }

  function caseRow(c) {
    const row = el("tr");
    const name = (c.name || "") + (c.tag ? " (" + c.tag + ")" : ""); // a hidden test's edge case, where the phase tags it
    row.append(el("td", {}, name), el("td", { class: c.passed ? "cr-pass" : "cr-fail" }, c.passed ? "passed" : c.message));
    if (c.number != null) row.dataset.test = (c.group || "test") + "-" + c.number;
    const details = el("td");
    if (!c.hidden && c.shown) {
      details.append(el("code", {}, c.shown.call));
      details.append(" expected ", el("code", {}, c.shown.expected));
      if (!c.passed && c.status === "wrong_answer") details.append(", got ", el("code", {}, c.shown.actual));
    }
    row.append(details);
    return row;
  }

  function render(box, s) {
    box.textContent = "";
    const r = s.result;
    if (!r || s.state !== "done") return;
    if (r.error) { box.append(el("p", { class: "error" }, r.error)); return; }
    if (r.program) {
      box.append(el("h3", {}, "Program output"), el("pre", {}, r.program.stdout || "(no output)"));
      if (r.program.stderr) box.append(el("h3", {}, "Errors"), el("pre", {}, r.program.stderr));
      if (r.program.truncated) box.append(el("p", { class: "muted" }, "The output was cut at the display limit."));
    }
    const report = r.report;
    if (report) {
      if (report.load_error) box.append(el("h3", {}, "Your code did not load"), el("pre", {}, report.load_error));
      const table = el("table");
      table.append(el("caption", {}, "Test results"));
      const head = el("tr");
      ["Test", "Result", "Details"].forEach((h) => head.append(el("th", { scope: "col" }, h)));
      table.append(el("thead"));
      table.tHead.append(head);
      const body = el("tbody");
      (report.cases || []).forEach((c) => body.append(caseRow(c)));
      table.append(body);
      box.append(table);
    }
  }

  const final = (s) => s.state === "done" || s.state === "failed";

  // handlers: update(view) on every change, done(view) once at the end.
  function follow(view, handlers) {
    let closed = false, source = null, failures = 0;
    const update = (s) => { if (!closed) handlers.update(s); };
    const finish = (s) => { if (!closed) { closed = true; if (source) source.close(); handlers.update(s); handlers.done(s); } };
    if (final(view)) { finish(view); return { close() {} }; }
    update(view);

    async function poll() {
      let delay = 250;
      while (!closed) {
        try {
          const response = await fetch(view.url, { headers: { Accept: "application/json" } });
          const s = (await response.json()).submission;
          if (final(s)) { finish(s); return; }
          update(s);
        } catch (e) { /* a lost connection: keep trying, the work goes on without us */ }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 1.5, 3000);
      }
    }

    if (!window.EventSource || !view.events_url) { poll(); return { close() { closed = true; } }; }
    source = new EventSource(view.events_url);
    source.addEventListener("state", (e) => { failures = 0; update(JSON.parse(e.data)); });
    source.addEventListener("done", (e) => finish(JSON.parse(e.data)));
    source.onerror = () => {
      // EventSource reconnects by itself after a stream ends; repeated errors mean no streaming here.
      if (closed) return;
      failures += 1;
      if (failures >= 3) { source.close(); poll(); }
    };
    return { close() { closed = true; source.close(); } };
  }

  async function cancel(view, csrf) {
    if (!view.cancel_url) return null;
    const response = await fetch(view.cancel_url, {
      method: "POST", headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
    });
    const data = await response.json().catch(() => null);
    return data && data.submission ? data.submission : null;
  }

  CR.jobs = { follow, describe, render, cancel, final };
})();
