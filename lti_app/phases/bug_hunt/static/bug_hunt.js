// The Bug Hunt page: Run and Submit are the workbench's (code.js, with live progress from jobs.js); here, the
// hint button (one hint per click, however often it is clicked) and the "bugs fixed" line after a Submit.
// Without JavaScript the hint form posts and the page comes back with the hint.
(function () {
  "use strict";
  const root = document.getElementById("bh");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const hintForm = document.getElementById("bh-hint");
  const hintButton = document.getElementById("bh-hint-button");
  const hintsLeft = document.getElementById("bh-hints-left");
  const hintList = document.getElementById("bh-hint-list");
  const hintError = document.getElementById("bh-hint-error");
  const taken = hintForm.querySelector("input[name=hints_taken]");
  const fixedLine = document.getElementById("bh-fixed");
  let asking = false, closed = false;

  function showError(text, reason) {
    hintError.textContent = text;
    hintError.dataset.reason = reason || "";
    if (reason === "attempt_closed" || reason === "time_up") {
      const link = document.createElement("a");
      link.href = root.dataset.reportUrl;
      link.textContent = "Open your report card";
      hintError.append(" ", link);
    }
    hintError.hidden = false;
  }

  function showHints(data) {
    hintList.textContent = "";
    data.hints.forEach((h) => {
      const item = document.createElement("li");
      item.dataset.hintLine = String(h.line);
      item.textContent = "Look at line " + h.line + ".";
      hintList.append(item);
    });
    taken.value = String(data.hints.length);
    hintsLeft.dataset.hintsLeft = String(data.hints_left);
    hintsLeft.textContent = data.hints_sentence;
    hintButton.disabled = data.hints_left === 0 || closed;
  }

  hintForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (asking) return; // a double click asks once; the server also takes at most one per count it saw
    asking = true;
    hintButton.disabled = true;
    hintError.hidden = true;
    try {
      const response = await fetch(hintForm.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ hints_taken: Number(taken.value) }),
      });
      const data = await response.json().catch(() => null);
      if (data && data.hints) showHints(data);
      if (!response.ok) showError((data && data.detail) || "No hint was taken (HTTP " + response.status + ").", data && data.error);
    } catch (e) {
      showError("The connection failed; no hint was taken. Try again.");
    } finally {
      asking = false;
      if (hintsLeft.dataset.hintsLeft !== "0" && !closed) hintButton.disabled = false;
    }
  });

  const codeForm = document.getElementById("bh-code");
  codeForm.addEventListener("cr:code-done", (event) => {
    const r = (event.detail || {}).result || {};
    if (r.kind !== "submit" || typeof r.bugs_fixed !== "number") return;
    fixedLine.dataset.bugsFixed = String(r.bugs_fixed);
    fixedLine.textContent = "Your latest Submit fixed " + r.bugs_fixed + " of " + r.bug_count + " bugs.";
  });

  document.addEventListener("cr:time-up", () => { closed = true; hintButton.disabled = true; });

  document.getElementById("bh-finish").addEventListener("submit", (event) => {
    if (!window.confirm("Finish now? Only submitted code counts, and you cannot submit or take hints afterwards.")) {
      event.preventDefault();
    }
  });
})();
