// The Difficult Client page: send chat messages and read the client's streamed reply (server-sent
// events over fetch), update the progress meter and the Director's feedback line, reveal the coding task
// when it unlocks, and queue Run/Submit with live status (queued with position, running, done).
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
  const jobStatus = document.getElementById("dc-job-status");
  const resultBox = document.getElementById("dc-result");
  const runButton = document.getElementById("dc-run");
  const submitButton = document.getElementById("dc-submit");

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

  function revealTask(task) {
    const section = document.getElementById("dc-task");
    if (!task || !section.hidden) return;
    document.getElementById("dc-task-description").textContent = task.description;
    document.getElementById("dc-task-signature").textContent = task.signature;
    document.getElementById("dc-task-language").textContent = task.language;
    const body = document.querySelector("#dc-examples tbody");
    body.textContent = "";
    task.examples.forEach((ex) => {
      const row = el("tr");
      row.append(el("td"), el("td"));
      row.children[0].append(el("code", {}, JSON.stringify(ex.args)));
      row.children[1].append(el("code", {}, JSON.stringify(ex.expected)));
      body.append(row);
    });
    const source = document.getElementById("dc-source");
    if (!source.value.trim()) source.value = task.signature + "\n    pass\n";
    section.hidden = false;
    jobStatus.textContent = "The coding task is unlocked.";
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

  async function sendMessage(event) {
    event.preventDefault();
    const text = box.value;
    chatError.hidden = true;
    if (!text.trim()) { showError(chatError, null, "Type a message for the client first."); box.focus(); return; }
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
        else if (name === "reset") { replyText = ""; replyNode.textContent = ""; }
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
      else box.value = "";  // only a stored message clears the box: nothing typed is lost
      if (reply) reply.removeAttribute("aria-busy");
      box.removeAttribute("aria-busy");
      send.disabled = false;
      box.focus();
    }
  }

  chat.addEventListener("submit", sendMessage);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); chat.requestSubmit(); }
  });

  // ---- Run / Submit -------------------------------------------------------------------------------
  function describeJob(s) {
    if (s.state === "queued") return "Queued" + (s.position != null ? " — position " + (s.position + 1) + " in the queue" : "") + "…";
    if (s.state === "running") return "Running your code…";
    if (s.state === "retry") return "Waiting to run again…";
    if (s.state === "failed") return s.error || "This could not be processed.";
    if (s.state === "done") {
      const r = s.result || {};
      if (r.error) return r.error;
      if (r.kind === "submit") return "Done: " + r.hidden.passed + " of " + r.hidden.total + " hidden tests passed.";
      return "Done: your program finished (" + ((r.program || {}).outcome || "ok") + ").";
    }
    return s.state;
  }

  function caseRow(c) {
    const row = el("tr");
    row.append(el("td", {}, c.name || ""), el("td", { class: c.passed ? "dc-pass" : "dc-fail" }, c.passed ? "passed" : c.message));
    row.append(el("td", {}, c.hidden ? "" : JSON.stringify(c.args) + " → " + JSON.stringify(c.actual)));
    return row;
  }

  function renderResult(s) {
    resultBox.textContent = "";
    const r = s.result;
    if (!r || s.state !== "done") return;
    if (r.error) { resultBox.append(el("p", { class: "error" }, r.error)); return; }
    if (r.program) {
      resultBox.append(el("h3", {}, "Program output"), el("pre", {}, r.program.stdout || "(no output)"));
      if (r.program.stderr) resultBox.append(el("h3", {}, "Errors"), el("pre", {}, r.program.stderr));
    }
    const report = r.examples && r.examples.cases ? r.examples : r.report;
    if (report) {
      if (report.load_error) resultBox.append(el("h3", {}, "Your code did not load"), el("pre", {}, report.load_error));
      const table = el("table");
      table.append(el("caption", {}, r.kind === "submit" ? "Test results" : "Examples"));
      const head = el("tr");
      ["Test", "Result", "Details"].forEach((h) => head.append(el("th", { scope: "col" }, h)));
      table.append(el("thead"));
      table.tHead.append(head);
      const body = el("tbody");
      report.cases.forEach((c) => body.append(caseRow(c)));
      table.append(body);
      resultBox.append(table);
    }
  }

  function setBusy(busy) { runButton.disabled = busy; submitButton.disabled = busy; }

  async function follow(url) {
    setBusy(true);
    let delay = 400;
    for (;;) {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        const s = (await response.json()).submission;
        jobStatus.textContent = describeJob(s);
        jobStatus.dataset.state = s.state;
        if (s.state === "done" || s.state === "failed") { renderResult(s); break; }
      } catch (e) {
        jobStatus.textContent = "Checking status…";
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 1.3, 3000);
    }
    setBusy(false);
  }

  async function queue(url, withInput) {
    const payload = { source: document.getElementById("dc-source").value };
    if (withInput) payload.stdin = document.getElementById("dc-stdin").value;
    setBusy(true);
    resultBox.textContent = "";
    jobStatus.textContent = "Sending…";
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify(payload),
      });
      const data = await response.json().catch(() => null);
      if (response.status === 202 || (data && data.submission)) {
        if (response.status !== 202) jobStatus.textContent = data.detail;
        await follow(data.submission.url);
        return;
      }
      showError(jobStatus, data, "Could not queue your code (HTTP " + response.status + ").");
    } catch (e) {
      jobStatus.textContent = "The connection failed; try again.";
    }
    setBusy(false);
  }

  runButton.addEventListener("click", () => queue(root.dataset.runUrl, true));
  submitButton.addEventListener("click", () => queue(root.dataset.submitUrl, false));

  const latest = document.getElementById("dc-latest");
  if (latest) {
    const s = JSON.parse(latest.textContent);
    jobStatus.textContent = describeJob(s);
    jobStatus.dataset.state = s.state;
    if (s.state === "done" || s.state === "failed") renderResult(s); else follow(s.url);
  }

  // The time limit: a quiet countdown (role=timer is not announced on every change), one alert at the end.
  const limit = document.getElementById("dc-time-limit");
  if (limit) {
    const ends = Date.now() + Number(limit.dataset.secondsLeft) * 1000;
    const left = document.getElementById("dc-time-left");
    const tick = () => {
      const seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
      left.textContent = seconds > 0 ? Math.ceil(seconds / 60) + " minutes left." : "Time is up: end the session for your grade.";
      if (seconds === 0) {
        left.setAttribute("role", "alert");
        send.disabled = runButton.disabled = submitButton.disabled = true;
      } else {
        setTimeout(tick, 15000);
      }
    };
    tick();
  }

  document.getElementById("dc-finish").addEventListener("submit", (event) => {
    if (!window.confirm("End the session now? You cannot send more messages afterwards.")) event.preventDefault();
  });
})();
