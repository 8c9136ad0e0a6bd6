// The War Room page: the terminal, its check and the editor are the workbench's (terminal.js,
// workspace_editor.js); here, the incident channel (the CTO's lines pushed as server-sent events, messages sent
// with fetch), the last check's verdict, the report (a draft kept as the student types; Save checks it) and
// Finish. Without JavaScript the channel, the report and Finish are plain forms and the page shows everything.
(function () {
  "use strict";
  const root = document.getElementById("wr");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const cto = root.dataset.cto;
  const list = document.getElementById("wr-list");
  const log = document.getElementById("wr-log");
  const chatForm = document.getElementById("wr-chat-form");
  const message = document.getElementById("wr-message");
  const send = document.getElementById("wr-send");
  const chatError = document.getElementById("wr-chat-error");
  const reportForm = document.getElementById("wr-report-form");
  const reportStatus = document.getElementById("wr-report-status");
  const reportError = document.getElementById("wr-report-error");
  const saveButton = document.getElementById("wr-report-save");
  const checkState = document.getElementById("wr-check-state");
  const checkOutput = document.getElementById("wr-check-output");
  root.querySelectorAll("[data-js-only]").forEach((node) => { node.hidden = false; });
  let count = Number(root.dataset.chatCount || 0);
  let closed = false;
  let events = null;

  const headers = () => ({ "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" });
  const clock = (iso) => (iso && iso.length >= 16 ? iso.slice(11, 16) : "");

  // ----- the incident channel ------------------------------------------------------------------------------
  function entry(m, index) {
    const item = document.createElement("li");
    const mine = m.from === "student";
    item.className = "wr-msg " + (mine ? "wr-student" : "wr-cto") + (m.kind === "pressure" ? " wr-pressure" : "");
    item.dataset.index = String(index);
    item.dataset.kind = m.kind || "";
    const who = document.createElement("span");
    who.className = "wr-who";
    who.textContent = mine ? "You" : cto;
    item.append(who);
    if (m.at) {
      const at = document.createElement("span");
      at.className = "wr-at muted";
      at.textContent = clock(m.at);
      item.append(at);
    }
    const text = document.createElement("span");
    text.className = "wr-text";
    text.textContent = m.text;
    item.append(text);
    return item;
  }

  function add(entries, from) {
    // Entries carry their place in the channel: what the page already shows is skipped, so a reconnect, a second
    // tab or a reply that also arrives by the stream never shows a line twice; a gap is fetched first.
    if (from > count) { catchUp(); return; }
    (entries || []).forEach((m, i) => {
      const index = from + i;
      if (index < count) return;
      list.append(entry(m, index));
      count = index + 1;
    });
    log.scrollTop = log.scrollHeight;
  }

  async function catchUp() {
    try {
      const response = await fetch(root.dataset.chatUrl + "?after=" + count, { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (response.ok && data.from <= count) add(data.entries, data.from);
    } catch (e) { /* the stream brings it on its next pass */ }
  }

  function listen() {
    if (!window.EventSource || closed) return;
    events = new EventSource(root.dataset.eventsUrl + "?after=" + count);
    events.addEventListener("chat", (event) => {
      const data = JSON.parse(event.data);
      add(data.entries, data.from);
    });
    events.addEventListener("closed", () => { events.close(); end(); });
    // On an error or the end of a stream EventSource reconnects by itself (after the server's "retry"), from the
    // last event's id: the lines due meanwhile come then.
  }

  function showChatError(text) {
    chatError.textContent = text;
    chatError.hidden = false;
  }

  chatForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (closed || send.disabled) return;
    const text = message.value.trim();
    if (!text) { showChatError("Write something to the CTO first."); message.focus(); return; }
    chatError.hidden = true;
    send.disabled = true;
    try {
      const response = await fetch(root.dataset.messageUrl, {
        method: "POST", headers: headers(), body: JSON.stringify({ message: message.value }),
      });
      const data = await response.json().catch(() => null);
      if (response.ok && data) {
        add(data.entries, data.count - data.entries.length);
        message.value = "";
      } else {
        showChatError(((data && data.detail) || "The message was not sent (HTTP " + response.status + ").") + " Your text is kept.");
        if (data && (data.error === "attempt_closed" || data.error === "time_up")) end();
      }
    } catch (e) {
      showChatError("The connection failed; the message was not sent. Your text is kept.");
    } finally {
      if (!closed) send.disabled = false;
    }
  });
  message.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); chatForm.requestSubmit(); }
  });

  // ----- the check's verdict ---------------------------------------------------------------------------------
  document.addEventListener("cr:terminal-done", (event) => {
    const s = event.detail || {};
    const r = s.result || {};
    if (r.kind !== "check" || s.state !== "done") return;
    const at = new Date().toISOString().slice(11, 19);
    checkState.dataset.checkPassed = r.passed ? "yes" : "no";
    checkState.textContent = r.passed ? "Passed (" + at + " UTC): customers are served." : "Not passed (" + at + " UTC).";
    checkOutput.textContent = r.output || "";
    checkOutput.hidden = !r.output;
  });

  // ----- the report ------------------------------------------------------------------------------------------
  const fields = Array.from(reportForm.querySelectorAll("[data-report-field]"));
  const values = () => Object.fromEntries(fields.map((f) => [f.name, f.value]));
  let draftTimer = null, lastDraft = JSON.stringify(values());

  function fieldErrors(errors) {
    fields.forEach((f) => {
      const box = reportForm.querySelector('[data-field-error="' + f.name + '"]');
      const text = (errors || {})[f.name];
      box.textContent = text || "";
      box.hidden = !text;
      if (text) f.setAttribute("aria-invalid", "true"); else f.removeAttribute("aria-invalid");
    });
  }

  async function saveDraft() {
    draftTimer = null;
    const body = JSON.stringify({ fields: values() });
    if (body === lastDraft || closed) return;
    try {
      const response = await fetch(root.dataset.draftUrl, { method: "PUT", headers: headers(), body: body });
      if (response.ok) {
        lastDraft = body;
        reportStatus.textContent = (root.dataset.reportSaved ? "Report saved at " + root.dataset.reportSaved.slice(11, 19) + " UTC; " : "Not saved yet; ") + "your changes are kept as a draft.";
      }
    } catch (e) { /* the next keystroke tries again */ }
  }

  fields.forEach((f) => f.addEventListener("input", () => {
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 1200);
  }));

  reportForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (closed) return;
    if (draftTimer) { clearTimeout(draftTimer); draftTimer = null; }
    saveButton.disabled = true;
    reportError.hidden = true;
    reportStatus.textContent = "Saving…";
    try {
      const body = JSON.stringify({ fields: values() });
      const response = await fetch(root.dataset.reportSaveUrl, { method: "POST", headers: headers(), body: body });
      const data = await response.json().catch(() => null);
      if (response.ok && data) {
        lastDraft = body;
        fieldErrors({});
        root.dataset.reportSaved = data.saved_at;
        reportStatus.textContent = "Report saved at " + data.saved_at.slice(11, 19) + " UTC.";
      } else {
        if (data && data.errors) lastDraft = body; // what was typed is kept as the draft
        fieldErrors(data && data.errors);
        reportError.textContent = data && data.errors
          ? "The report was not saved: fix the fields marked above (what you typed is kept)."
          : ((data && data.detail) || "The report was not saved (HTTP " + response.status + ").") + " Your text is still here.";
        reportError.hidden = false;
        reportStatus.textContent = "Not saved.";
        const first = fields.find((f) => f.getAttribute("aria-invalid") === "true");
        if (first) first.focus();
        if (data && (data.error === "attempt_closed" || data.error === "time_up")) end();
      }
    } catch (e) {
      reportError.textContent = "The connection failed; the report was not saved. Your text is still here.";
      reportError.hidden = false;
    } finally {
      if (!closed) saveButton.disabled = false;
    }
  });

  // ----- the end ---------------------------------------------------------------------------------------------
  function end() {
    closed = true;
    if (events) events.close();
    send.disabled = true;
    saveButton.disabled = true;
  }
  document.addEventListener("cr:time-up", end);

  document.getElementById("wr-finish").addEventListener("submit", (event) => {
    const unsaved = !root.dataset.reportSaved ? " You have not saved a root-cause report." : "";
    if (!window.confirm("Finish the incident now? The system is checked one last time as it is, and you cannot change anything afterwards." + unsaved)) {
      event.preventDefault();
    }
  });

  listen();
})();
