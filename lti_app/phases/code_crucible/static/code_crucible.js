// The Code Crucible page: Run, Run examples and Submit are the workbench's (code.js, with live progress and the
// test table from jobs.js); here, what a Submit says beyond the table (each hidden test's edge case, the quality
// and efficiency bands, the points and the mentor's feedback), the hint button (one hint per click, however often
// it is clicked), the language switch (before the first Submit) and Finish's confirmation.
// Without JavaScript the hint, language and finish forms post and the page comes back.
(function () {
  "use strict";
  const root = document.getElementById("cc");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const codeForm = document.getElementById("cc-code");
  const outcome = document.getElementById("cc-outcome");
  let closed = false;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text != null) node.textContent = text;
    return node;
  }

  function reportLink(box, reason) {
    if (reason !== "attempt_closed" && reason !== "time_up") return;
    const link = el("a", { href: root.dataset.reportUrl }, "Open your report card");
    box.append(" ", link);
  }

  async function post(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify(payload),
    });
    return { response, data: await response.json().catch(() => null) };
  }

  // --- What a Submit (or a Run of the examples) says beyond the test table --------------------------------
  function list(title, items, id) {
    const section = el("section", { class: "cc-part", id });
    section.append(el("h3", {}, title));
    const ul = el("ul");
    items.forEach((item) => ul.append(typeof item === "string" ? el("li", {}, item) : item));
    section.append(ul);
    return section;
  }

  // Each test's row (a hidden one with its edge case) is in the workbench's table above (jobs.js).
  function showSubmit(r) {
    const hidden = r.hidden || { passed: 0, total: 0 };
    outcome.append(el("p", { class: "cc-summary", id: "cc-summary" },
      "Hidden tests: " + hidden.passed + " of " + hidden.total + " passed. Examples: " +
      (r.examples ? r.examples.passed + " of " + r.examples.total : "not run") + " passed." +
      (r.points ? " This Submit is worth " + r.points.total + " points before hints (hidden tests " +
        r.points.hidden + ", quality " + r.points.quality + ", efficiency " + r.points.efficiency + ")." : "")));
    if (r.tags_failed && r.tags_failed.length) {
      outcome.append(el("p", { id: "cc-tags-failed" }, "Edge cases that failed: " + r.tags_failed.join(", ") + "."));
    }
    const q = r.quality;
    if (q) {
      const items = [];
      if (!q.available) items.push("The linter could not run this time; this item is not measured.");
      else if (q.parse_error) items.push("The linter could not read your code: " + q.parse_error);
      else items.push((q.tool || "The linter") + ": " + (q.finding_count === 0 ? "no findings." : q.finding_count + " finding" + (q.finding_count === 1 ? "" : "s") + "."));
      (q.findings || []).forEach((f) => items.push("Line " + f.line + ": " + f.rule + " " + f.message));
      outcome.append(list("Quality", items, "cc-quality"));
    }
    const e = r.efficiency;
    if (e) outcome.append(list("Efficiency", [e.band_text, e.time_text].filter(Boolean), "cc-efficiency"));
    if (r.own_tests) {
      outcome.append(list("Your own tests", [r.own_tests.found + " found, " + r.own_tests.passed + " passed" +
        (r.own_tests.without_checks.length ? "; without a check: " + r.own_tests.without_checks.join(", ") : "") + "."], "cc-own"));
    }
  }

  function showFeedback(r) {
    if (r.feedback && r.feedback.length) outcome.append(list("Mentor's feedback", r.feedback, "cc-feedback"));
    if (r.review) outcome.append(list("Mentor's review", [r.review], "cc-review"));
  }

  function showOutcome(s) {
    const r = s.result || {};
    outcome.textContent = "";
    if (s.state !== "done" || r.error) return;
    if (r.kind === "submit") {
      showSubmit(r);
      showFeedback(r);
      lockLanguage();
    } else if (r.kind === "examples" && r.own_tests) {
      outcome.append(list("Your own tests", [r.own_tests.found + " found, " + r.own_tests.passed + " passed."], "cc-own"));
    }
    if (r.kind === "submit" || r.kind === "examples") refreshHints();
  }

  codeForm.addEventListener("cr:code-done", (event) => showOutcome(event.detail || {}));

  // --- Hints ------------------------------------------------------------------------------------------------
  const hintForm = document.getElementById("cc-hint");
  const hintButton = document.getElementById("cc-hint-button");
  const hintsLeft = document.getElementById("cc-hints-left");
  const hintList = document.getElementById("cc-hint-list");
  const hintError = document.getElementById("cc-hint-error");
  const taken = hintForm ? hintForm.querySelector("input[name=hints_taken]") : null;
  let asking = false;

  function showHints(data) {
    if (!hintForm) return;
    hintList.textContent = "";
    data.hints.forEach((h) => hintList.append(el("li", { "data-hint": String(h.number) }, h.text)));
    taken.value = String(data.hints.length);
    hintsLeft.dataset.hintsLeft = String(data.hints_left);
    hintsLeft.textContent = data.hints_sentence;
    hintButton.disabled = data.hints_left === 0 || closed;
  }

  async function refreshHints() {
    if (!hintForm || !root.dataset.hintsUrl) return;
    try {
      const response = await fetch(root.dataset.hintsUrl, { headers: { Accept: "application/json" } });
      if (response.ok) showHints(await response.json());
    } catch (e) { /* the button still works; the server decides */ }
  }

  if (hintForm) {
    hintForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (asking) return; // a double click asks once; the server also takes at most one per count it saw
      asking = true;
      hintButton.disabled = true;
      hintError.hidden = true;
      try {
        const { response, data } = await post(hintForm.action, { hints_taken: Number(taken.value) });
        if (data && data.hints) showHints(data);
        if (!response.ok) {
          hintError.textContent = (data && data.detail) || "No hint was taken (HTTP " + response.status + ").";
          reportLink(hintError, data && data.error);
          hintError.hidden = false;
        }
      } catch (e) {
        hintError.textContent = "The connection failed; no hint was taken. Try again.";
        hintError.hidden = false;
      } finally {
        asking = false;
        if (hintsLeft.dataset.hintsLeft !== "0" && !closed) hintButton.disabled = false;
      }
    });
  }

  // --- The language ---------------------------------------------------------------------------------------
  const languageForm = document.getElementById("cc-language");
  const languageError = document.getElementById("cc-language-error");

  function lockLanguage() {
    if (!languageForm) return;
    languageForm.querySelectorAll("select, button").forEach((x) => { x.disabled = true; });
    const help = document.getElementById("cc-language-help");
    if (help) help.textContent = "The language is fixed once you have submitted.";
  }

  if (languageForm) {
    languageForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const select = languageForm.querySelector("select");
      const wanted = select.value;
      if (wanted === languageForm.dataset.current) return;
      const name = select.options[select.selectedIndex].text;
      if (!window.confirm("Switch to " + name + "? The editor starts again from the " + name +
          " starter: what you wrote is replaced.")) {
        select.value = languageForm.dataset.current;
        return;
      }
      languageError.hidden = true;
      try {
        const { response, data } = await post(languageForm.action, { language: wanted });
        if (response.ok && data) {
          // Put the starter in the editor first: a draft saved on the way out then holds it too.
          const source = codeForm.querySelector("textarea[name=source]");
          source.value = data.starter;
          source.dispatchEvent(new CustomEvent("cr:editor-set"));
          window.location.reload();
          return;
        }
        languageError.textContent = (data && data.detail) || "The language was not changed (HTTP " + response.status + ").";
        reportLink(languageError, data && data.error);
        if (data && data.error === "language_locked") lockLanguage();
      } catch (e) {
        languageError.textContent = "The connection failed; the language was not changed.";
      }
      select.value = languageForm.dataset.current;
      languageError.hidden = false;
    });
  }

  // The latest result the page came with: code.js, which runs first, announced it before this script listened.
  const box = document.getElementById("cr-job-result");
  if (box && box.dataset.submission) {
    try {
      const latest = JSON.parse(box.dataset.submission);
      if (latest.state === "done") showOutcome(latest);
    } catch (e) { /* nothing to show */ }
  }

  document.addEventListener("cr:time-up", () => {
    closed = true;
    if (hintButton) hintButton.disabled = true;
    lockLanguage();
  });

  document.getElementById("cc-finish").addEventListener("submit", (event) => {
    if (!window.confirm("Finish now? Only submitted code counts, and you cannot submit or take hints afterwards.")) {
      event.preventDefault();
    }
  });
})();
