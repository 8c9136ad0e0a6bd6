// Run and Submit for any phase with code, through the workbench's routes (POST /api/a/<launch>/code/run and
// /code/submit), with live progress from jobs.js. Enhances <form data-code-form data-csrf data-run-url
// data-submit-url [data-examples-url] [data-report-url]> holding textarea[name=source], optionally
// textarea[name=stdin], and the buttons [data-code-run], [data-code-submit] and, where the phase's task runs its
// visible examples alone (POST …/code/examples), [data-code-examples]; the page includes workbench/job.html.
// The form hears "cr:code-done" (detail: the finished submission's view) so a page can add its own lines, and
// the policy note's "Submits left" follows what the server counts.
(function () {
  "use strict";
  const form = document.querySelector("form[data-code-form]");
  const jobs = window.CodeResidency && window.CodeResidency.jobs;
  if (!form || !jobs) return;
  const csrf = form.dataset.csrf;
  const source = form.querySelector("textarea[name=source]");
  const stdin = form.querySelector("textarea[name=stdin]");
  const runButton = form.querySelector("[data-code-run]");
  const submitButton = form.querySelector("[data-code-submit]");
  const examplesButton = form.querySelector("[data-code-examples]");
  const jobStatus = document.getElementById("cr-job-status");
  const resultBox = document.getElementById("cr-job-result");
  const cancelButton = document.getElementById("cr-job-cancel");
  let following = null, current = null, closed = false;

  function setBusy(busy) {
    [runButton, submitButton, examplesButton].forEach((b) => { if (b) b.disabled = busy || closed; });
  }

  function refused(data, fallback) {
    jobStatus.textContent = (data && data.detail) || fallback;
    if (data && data.error) jobStatus.dataset.reason = data.error;
    if (data && (data.error === "attempt_closed" || data.error === "time_up") && form.dataset.reportUrl) {
      const link = document.createElement("a");
      link.href = form.dataset.reportUrl;
      link.textContent = "Open your report card";
      jobStatus.append(" ", link);
    }
    jobStatus.focus();
  }

  function show(s) {
    current = s;
    jobStatus.textContent = jobs.describe(s);
    jobStatus.dataset.state = s.state;
    delete jobStatus.dataset.reason;
    cancelButton.hidden = !(s.kind === "run" && s.cancel_url && !jobs.final(s) && !s.cancel_requested);
  }

  function track(view, focusResult) {
    if (following) following.close();
    setBusy(true);
    following = jobs.follow(view, {
      update: show,
      done: (s) => {
        jobs.render(resultBox, s);
        setBusy(false);
        following = null;
        form.dispatchEvent(new CustomEvent("cr:code-done", { detail: s }));
        // Focus goes to the outcome so keyboard and screen-reader users land on it, not back at the top.
        if (focusResult) jobStatus.focus();
      },
    });
  }

  function showSubmitsLeft(submits) {
    const line = document.querySelector("[data-submits-left]");
    if (!submits || !line) return;
    line.dataset.submitsLeft = submits.left === null ? "unlimited" : String(submits.left);
    line.textContent = submits.sentence;
  }

  async function queue(url, withInput) {
    const payload = { source: source.value };
    if (withInput && stdin) payload.stdin = stdin.value;
    // The language the page is in, where the phase lets the student choose one: a page left open in another
    // language (another tab switched it) is refused rather than run in the wrong one.
    if (form.dataset.language) payload.language = form.dataset.language;
    setBusy(true);
    resultBox.textContent = "";
    jobStatus.textContent = "Sending…";
    form.dispatchEvent(new CustomEvent("cr:save-draft")); // drafts.js: what was sent is saved too
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify(payload),
      });
      const data = await response.json().catch(() => null);
      if (data) showSubmitsLeft(data.submits);
      if (data && data.submission) { // queued (202), or the earlier one still running (409): follow it
        track(data.submission, true);
        if (response.status !== 202) jobStatus.textContent = data.detail;
        return;
      }
      refused(data, "Could not queue your code (HTTP " + response.status + "); it is still in the editor.");
      if (data && data.error === "attempt_closed") closed = true;
    } catch (e) {
      refused(null, "The connection failed; your code is saved, try again.");
    }
    setBusy(false);
  }

  if (runButton) runButton.addEventListener("click", () => queue(form.dataset.runUrl, true));
  if (submitButton) submitButton.addEventListener("click", () => queue(form.dataset.submitUrl, false));
  if (examplesButton && form.dataset.examplesUrl) {
    examplesButton.addEventListener("click", () => queue(form.dataset.examplesUrl, false));
  }
  form.addEventListener("submit", (event) => event.preventDefault()); // Enter in a field is not a Submit
  cancelButton.addEventListener("click", async () => {
    if (!current) return;
    cancelButton.hidden = true;
    const s = await jobs.cancel(current, csrf).catch(() => null);
    if (s && !jobs.final(s)) show(s);
  });
  document.addEventListener("cr:time-up", () => { closed = true; setBusy(true); });

  if (resultBox.dataset.submission) track(JSON.parse(resultBox.dataset.submission), false);
})();
