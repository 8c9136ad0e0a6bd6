// Opens a workspace file in the workbench's editor and saves it back, for <section data-workspace-editor
// data-file-url data-files-url data-csrf> (the partial workbench/workspace_editor.html, next to the terminal).
// GET file_url?path= opens (the file's sha is kept), PUT saves {content, base_sha}: a save is refused while a
// command runs, or when a command changed the file since it was opened (then it says so and offers to reopen).
// After each command the list of files is refreshed, and an open file without unsaved changes is reloaded.
// Dispatches "cr:workspace-saved" on the document (detail: the server's answer) after a save.
(function () {
  "use strict";
  const root = document.querySelector("[data-workspace-editor]");
  if (!root) return;
  root.hidden = false;
  const openForm = root.querySelector("[data-workspace-open]");
  const saveForm = root.querySelector("[data-workspace-save]");
  const pathInput = openForm.querySelector("input[name=path]");
  const list = root.querySelector("datalist");
  const content = saveForm.querySelector("textarea");
  const label = saveForm.querySelector("[data-file-label]");
  const status = root.querySelector("[data-file-status]");
  const closeButton = saveForm.querySelector("[data-workspace-close]");
  const csrf = root.dataset.csrf;
  const LANGUAGES = { py: "python", js: "javascript", mjs: "javascript", java: "java" };
  let current = null; // {path, sha}
  let dirty = false;

  function say(text, focus) { status.textContent = text; if (focus) status.focus(); }
  const url = (path) => root.dataset.fileUrl + "?path=" + encodeURIComponent(path);
  const languageOf = (path) => LANGUAGES[path.split(".").pop()] || "text";

  async function listFiles() {
    try {
      const response = await fetch(root.dataset.filesUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      list.textContent = "";
      (data.entries || []).filter((e) => e.kind === "file").forEach((e) => {
        const option = document.createElement("option");
        option.value = e.path;
        list.append(option);
      });
    } catch (e) { /* the list is a convenience */ }
  }

  function show(path, data) {
    current = { path: path, sha: data.sha };
    dirty = false;
    content.value = data.content;
    content.dataset.language = languageOf(path);
    if (data.editable === false) content.setAttribute("readonly", ""); else content.removeAttribute("readonly");
    content.dispatchEvent(new CustomEvent("cr:editor-set"));
    label.textContent = path + (data.editable === false ? " (read only)" : "");
    saveForm.hidden = false;
  }

  async function open(path, quiet) {
    try {
      const response = await fetch(url(path), { headers: { Accept: "application/json" } });
      const data = await response.json().catch(() => null);
      if (!response.ok || !data) { say((data && data.detail) || "The file could not be opened (HTTP " + response.status + ").", true); return false; }
      if (quiet && current && current.sha === data.sha) return true;
      show(path, data);
      say(quiet ? path + " changed in the terminal; the editor shows it now." : "Opened " + path + ".");
      return true;
    } catch (e) {
      say("The connection failed; the file was not opened.", true);
      return false;
    }
  }

  async function save() {
    if (!current) return;
    say("Saving…");
    try {
      const response = await fetch(url(current.path), {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ content: content.value, base_sha: current.sha }),
      });
      const data = await response.json().catch(() => null);
      if (response.ok && data) {
        current.sha = data.sha;
        dirty = false;
        say(data.changed ? "Saved " + current.path + "." : "No changes to save in " + current.path + ".");
        if (data.changed) document.dispatchEvent(new CustomEvent("cr:workspace-saved", { detail: data }));
        return;
      }
      if (data && data.error === "file_changed") {
        say(data.detail + " Your text is still here: copy what you need, then open the file again.", true);
        return;
      }
      say((data && data.detail) || "The file was not saved (HTTP " + response.status + ").", true);
    } catch (e) {
      say("The connection failed; the file was not saved. Your text is still here.", true);
    }
  }

  openForm.addEventListener("submit", (event) => { event.preventDefault(); const path = pathInput.value.trim(); if (path) open(path, false); });
  saveForm.addEventListener("submit", (event) => { event.preventDefault(); save(); });
  closeButton.addEventListener("click", () => { current = null; saveForm.hidden = true; say("Closed."); pathInput.focus(); });
  content.addEventListener("input", () => { dirty = true; });
  document.addEventListener("cr:terminal-done", (event) => {
    const result = (event.detail && event.detail.result) || {};
    if (result.changed === false) return;
    listFiles();
    if (current && !dirty) open(current.path, true);
  });
  document.addEventListener("cr:time-up", () => { saveForm.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }); });
  listFiles();
})();
