// Saves the code a student types to the server (debounced) so a reload, a lost connection or the deadline
// loses nothing. Enhances <form data-draft-url> holding textareas named "source" and (optionally) "stdin".
// Revisions only grow, so a late save never overwrites a newer one on the server.
(function () {
  "use strict";
  const form = document.querySelector("form[data-draft-url]");
  if (!form) return;
  const source = form.querySelector("textarea[name=source]");
  const stdin = form.querySelector("textarea[name=stdin]");
  const status = form.querySelector("[data-draft-status]");
  const csrf = form.dataset.csrf;
  let revision = Number(form.dataset.draftRevision || 0);
  let timer = null, dirty = false, stopped = false;

  function show(text) { if (status) status.textContent = text; }

  async function save(keepalive) {
    if (!dirty || stopped) return;
    dirty = false;
    revision = Math.max(revision + 1, Date.now());
    const body = JSON.stringify({ source: source.value, stdin: stdin ? stdin.value : "", revision: revision });
    try {
      const response = await fetch(form.dataset.draftUrl, {
        method: "PUT", keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: body,
      });
      if (response.ok) {
        show("Draft saved at " + new Date().toLocaleTimeString() + ".");
      } else if (response.status === 409) {
        const data = await response.json().catch(() => ({}));
        if (data.error === "stale_draft") { revision = Math.max(revision, data.revision || 0); dirty = true; schedule(); }
        else { stopped = true; show("This attempt has ended; your code is no longer saved."); }
      } else {
        dirty = true;
        show("Not saved yet (HTTP " + response.status + "); retrying.");
        schedule(5000);
      }
    } catch (e) {
      dirty = true;
      show("Not saved: the connection failed; retrying.");
      schedule(5000);
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(() => save(false), delay || 800);
  }

  function changed() { dirty = true; show("Unsaved changes…"); schedule(); }

  source.addEventListener("input", changed);
  if (stdin) stdin.addEventListener("input", changed);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(true); });
  window.addEventListener("pagehide", () => save(true));
  document.addEventListener("cr:time-up", () => { clearTimeout(timer); stopped = true; });
  // Other scripts can ask for a save now (e.g. before Submit).
  form.addEventListener("cr:save-draft", () => { dirty = true; save(false); });
})();
