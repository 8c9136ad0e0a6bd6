// The Difficult Client page: send chat messages and read the client's streamed reply (server-sent
// events over fetch; chunks only ever add to the reply: the server checks a model's whole reply before it sends
// the first, so nothing shown is taken back), update the progress meter and the Director's feedback line, and
// reveal the coding task when it unlocks (its Run and Submit, with live status, are the workbench's code.js).
(function () {
  "use strict";
  const root = document.getElementById("dc");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const persona = root.dataset.persona;
  let turn = Number(root.dataset.turn);
  const log = document.getElementById("dc-log");
  const list = log.querySelector("ol");
  const chat = document.getElementById("dc-chat");
  const box = document.getElementById("dc-message");
  const send = document.getElementById("dc-send");
  const chatError = document.getElementById("dc-chat-error");

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text != null) node.textContent = text;
    return node;
  }

  function showError(target, data, fallback) {
    target.textContent = (data && data.detail) || fallback;
    if (data && data.error) target.dataset.reason = data.error;
    if (data && data.error === "attempt_closed") {
      target.append(" ", el("a", { href: root.dataset.reportUrl }, "Open your report card"));
    }
    target.hidden = false;
  }

  function bubble(role, text) {
    const li = el("li", { class: "dc-msg dc-" + role });
    li.append(el("span", { class: "dc-who" }, (role === "student" ? "You" : persona) + ":"), " ");
    li.append(el("span", { class: "dc-text" }, text));
    list.append(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function updateProgress(progress) {
    const meter = document.getElementById("dc-progress");
    meter.max = progress.total;
    meter.value = progress.discovered;
    meter.textContent = progress.discovered + " of " + progress.total;
    document.querySelector("[data-discovered]").textContent = progress.discovered;
    document.querySelector("[data-total]").textContent = progress.total;
  }

  // The coding task (the Code Crucible exercise built from what the interview revealed): shown once it unlocks, its
  // statement growing afterwards as the student learns more of what the client needs.
  function revealTask(task) {
    const section = document.getElementById("dc-task");
    if (!task) return;
    document.getElementById("dc-task-statement").textContent = task.statement;
    if (!section.hidden) return;
    document.getElementById("dc-task-signature").textContent = task.signature;
    document.getElementById("dc-task-language").textContent = task.language_name;
    document.getElementById("dc-task-file").textContent = task.file_name;
    document.getElementById("dc-task-hidden").textContent = String(task.hidden_count);
    document.getElementById("dc-task-try").textContent = task.try_it;
    const note = document.getElementById("dc-task-note");
    note.textContent = task.note || "";
    note.hidden = !task.note;
    const body = document.querySelector("#dc-examples tbody");
    body.textContent = "";
    task.examples.forEach((ex) => {
      const row = el("tr", { "data-example": String(ex.number) });
      row.append(el("td", {}, String(ex.number)), el("td"), el("td"));
      row.children[1].append(el("code", {}, ex.call));
      row.children[2].append(el("code", {}, ex.expected));
      body.append(row);
    });
    document.getElementById("dc-code").dataset.language = task.language;  // code.js sends it; the server checks
    const source = document.getElementById("dc-source");
    source.dataset.language = task.language;  // the editor's language mode
    if (!source.value.trim()) source.value = task.starter;
    source.dispatchEvent(new CustomEvent("cr:editor-set"));
    section.hidden = false;
    document.getElementById("dc-unlocked").textContent = "The coding task is unlocked: scroll down to it or use the Coding task heading.";
    section.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  // Server-sent events arrive as "event: name\ndata: json\n\n" blocks, possibly split across reads.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = "message", data = "";
        block.split("\n").forEach((line) => {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        });
        onEvent(name, data ? JSON.parse(data) : {});
      }
      if (done) return;
    }
  }

  const maxChars = Number(box.dataset.maxChars);
  const counter = document.getElementById("dc-message-count");
  function count() {
    const n = box.value.length;
    counter.textContent = String(n);
    counter.parentElement.classList.toggle("error", n > maxChars);
  }
  box.addEventListener("input", count);

  let sending = false;
  async function sendMessage(event) {
    event.preventDefault();
    if (sending) return;  // a second Enter while the reply streams is not a second message
    const text = box.value;
    chatError.hidden = true;
    if (!text.trim()) { showError(chatError, null, "Type a message for the client first."); box.focus(); return; }
    if (text.length > maxChars) {
      showError(chatError, null, "Your message is " + text.length + " characters; the limit is " + maxChars + ". Shorten it and send again.");
      box.focus();
      return;
    }
    sending = true;
    send.disabled = true;
    box.setAttribute("aria-busy", "true");
    const mine = bubble("student", text.trim());
    let reply = null, replyText = "", finished = false;
    try {
      const response = await fetch(root.dataset.messageUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "text/event-stream" },
        body: JSON.stringify({ message: text, turn: turn }),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        mine.remove();
        showError(chatError, data, "The message could not be sent (HTTP " + response.status + ").");
        return;
      }
      reply = bubble("client", "");
      reply.setAttribute("aria-busy", "true");
      const replyNode = reply.querySelector(".dc-text");
      await readEvents(response, (name, data) => {
        if (name === "chunk") { replyText += data.text; replyNode.textContent = replyText; }
        else if (name === "error") { showError(chatError, data, "The reply failed; your message was not sent."); }
        else if (name === "done") {
          finished = true;
          replyNode.textContent = data.reply;
          turn = data.turn;
          root.dataset.turn = String(turn);
          if (data.feedback) {
            const line = el("p", { class: "dc-feedback" });
            line.append(el("span", { class: "dc-who" }, "Coach:"), " " + data.feedback);
            mine.append(line);
          }
          updateProgress(data.progress);
          if (data.coding_task_unlocked) revealTask(data.coding_task);
        }
      });
    } catch (e) {
      showError(chatError, null, "The connection failed; your message was not sent.");
    } finally {
      if (!finished) { mine.remove(); if (reply) reply.remove(); }
      else { box.value = ""; count(); }  // only a stored message clears the box: nothing typed is lost
      sending = false;
      if (reply) reply.removeAttribute("aria-busy");
      box.removeAttribute("aria-busy");
      send.disabled = false;
      box.focus();
    }
  }

  log.scrollTop = log.scrollHeight;  // after a reload the conversation opens at the newest reply
  chat.addEventListener("submit", sendMessage);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); chat.requestSubmit(); }
  });

  // After a Submit: what the linter said (code quality counts for the grade), beyond the workbench's test table.
  const codeForm = document.getElementById("dc-code");
  const outcome = document.getElementById("dc-outcome");
  codeForm.addEventListener("cr:code-done", (event) => {
    const s = event.detail || {};
    const q = (s.result || {}).quality;
    outcome.textContent = "";
    if (s.state !== "done" || (s.result || {}).kind !== "submit" || !q) return;
    const lines = el("ul", { id: "dc-quality" });
    if (!q.available) lines.append(el("li", {}, "The linter could not run this time; it is not held against you."));
    else lines.append(el("li", {}, q.tool + ": " + (q.finding_count === 0 ? "no findings." :
      q.finding_count + " finding" + (q.finding_count === 1 ? "" : "s") + ".")));
    (q.findings || []).forEach((f) => lines.append(el("li", {}, "Line " + f.line + ": " + f.rule + " " + f.message)));
    outcome.append(el("h3", {}, "Code quality"), lines);
  });

  document.addEventListener("cr:time-up", () => {  // Run and Submit stop by themselves (workbench code.js)
    send.disabled = true;
    box.disabled = true;
  });

  document.getElementById("dc-finish").addEventListener("submit", (event) => {
    if (!window.confirm("End the session now? You cannot send more messages afterwards.")) event.preventDefault();
  });
})();
