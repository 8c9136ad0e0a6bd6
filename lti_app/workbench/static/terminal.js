// The workbench's terminal: an xterm.js screen (vendor/terminal.bundle.js, global CrXterm) over the attempt's
// workspace, for <section data-terminal data-commands-url data-log-url data-csrf data-user data-host data-cwd
// data-limit-seconds data-max-chars [data-check-url]> (the partial workbench/terminal.html). Commands run one
// by one on the server, so the line is edited here: printable input, Backspace/Delete, Left/Right/Home/End,
// Up/Down through earlier commands, Ctrl+C clears the line (or stops a running command), Ctrl+U clears it,
// Ctrl+L clears the screen, Enter sends it. Tab is left to the browser, so the keyboard can leave the terminal.
// Each command is queued (POST), followed live with jobs.js (server-sent events) and its output written when it
// ends; a reload replays the log. Without JavaScript (or xterm) the partial's plain form stays.
// Events: "cr:terminal-done" on the section, bubbling (detail: the finished command's or check's view); it
// listens for "cr:workspace-saved" (workspace_editor.js) and notes the save.
// window.CodeResidency.terminal: run(command) types and sends a command; check() runs the phase's check.
(function () {
  "use strict";
  const root = document.querySelector("[data-terminal]");
  const X = window.CrXterm;
  const CR = (window.CodeResidency = window.CodeResidency || {});
  const jobs = CR.jobs;
  if (!root || !X || !jobs) return;

  const screen = root.querySelector("[data-terminal-screen]");
  const fallback = root.querySelector("[data-terminal-fallback]");
  const status = root.querySelector("[data-terminal-status]");
  const csrf = root.dataset.csrf;
  const user = root.dataset.user || "student";
  const host = root.dataset.host || "sandbox";
  const maxChars = Number(root.dataset.maxChars || 2000);
  const limit = Number(root.dataset.limitSeconds || 10);
  const RESET = "\x1b[0m", DIM = "\x1b[2m", RED = "\x1b[31m", YELLOW = "\x1b[33m";

  let cwd = root.dataset.cwd || "";
  let line = "", cursor = 0;
  let drawnCursor = 0; // where the cursor is, counted in characters from the start of the prompt
  let history = [], historyAt = 0, stash = "";
  let busy = "loading"; // null when a new line may be typed; else what is running
  let current = null, following = null, closed = false, typeahead = "";

  const term = new X.Terminal({
    convertEol: true, cursorBlink: true, scrollback: 5000, rows: 18, screenReaderMode: true,
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", fontSize: 14,
    theme: { background: "#1b1e23", foreground: "#e8e8e8", cursor: "#f5a623" },
  });
  const fit = new X.FitAddon();
  term.loadAddon(fit);
  fallback.hidden = true;
  screen.hidden = false;
  root.querySelectorAll("[data-terminal-keys]").forEach((node) => { node.hidden = false; });
  term.open(screen);
  const refit = () => { try { fit.fit(); } catch (e) { /* not visible yet */ } };
  refit();
  window.addEventListener("resize", refit);
  if (term.textarea) {
    term.textarea.setAttribute("aria-label", "Terminal: type a command and press Enter");
    term.textarea.setAttribute("aria-describedby", "cr-terminal-help");
  }
  // Tab (and Shift+Tab) move the focus on, as everywhere else on the page: there is no completion here.
  term.attachCustomKeyEventHandler((event) => event.key !== "Tab");

  const prompt = () => user + "@" + host + ":~" + (cwd ? "/" + cwd : "") + "$ ";
  const coloured = () => "\x1b[1;32m" + user + "@" + host + RESET + ":\x1b[1;34m~" + (cwd ? "/" + cwd : "") + RESET + "$ ";

  // Redraw the prompt and the line from the start of the prompt, then put the cursor where it belongs; the line
  // may wrap over several rows.
  function redraw() {
    const cols = term.cols;
    let out = "";
    const up = Math.floor(drawnCursor / cols);
    if (up > 0) out += "\x1b[" + up + "A";
    out += "\r\x1b[J" + coloured() + line;
    const total = prompt().length + line.length;
    if (total > 0 && total % cols === 0) out += " \b"; // leave the pending wrap at the end of a full row
    const target = prompt().length + cursor;
    const rowsUp = Math.floor(total / cols) - Math.floor(target / cols);
    if (rowsUp > 0) out += "\x1b[" + rowsUp + "A";
    out += "\r";
    if (target % cols > 0) out += "\x1b[" + (target % cols) + "C";
    term.write(out);
    drawnCursor = target;
  }

  function newLine() {
    line = ""; cursor = 0; drawnCursor = 0; stash = ""; historyAt = history.length;
    busy = null;
    if (closed) return;
    redraw();
    if (typeahead) { const rest = typeahead; typeahead = ""; input(rest); }
  }

  function endInput() { // move past the line being edited, to write below it
    cursor = line.length;
    redraw();
    term.write("\r\n");
    drawnCursor = 0;
  }

  function say(text) { status.textContent = text; }

  function seconds(n) { return (Math.round(n * 100) / 100).toString() + " s"; }

  function describe(s) {
    if (s.state === "queued") return "Queued" + (s.position != null ? " (position " + (s.position + 1) + ")" : "") + "…";
    if (s.state === "running") {
      if (s.cancel_requested) return "Stopping the command…";
      return "Running… " + (s.elapsed_seconds != null ? seconds(s.elapsed_seconds) + " of the " : "the limit is ") + seconds(s.limit_seconds || limit) + (s.elapsed_seconds != null ? " limit." : ".");
    }
    if (s.state === "retry") return "Waiting to run again…";
    if (s.state === "failed") return s.error || "The command could not be run.";
    const r = s.result || {};
    if (r.kind === "check") return "Check finished: " + (r.passed ? "passed." : "not passed.");
    if (r.outcome === "ok" || r.outcome === "error") return "Done: exit code " + r.exit_code + (r.seconds != null ? ", " + seconds(r.seconds) : "") + ".";
    if (r.note) return r.note;
    if (r.outcome === "broken") return "The command broke the terminal; nothing it changed was kept.";
    if (r.outcome === "refused") return "The command could not be run.";
    return "Done: " + (r.outcome || "finished") + ".";
  }

  function writeOutput(text) {
    if (!text) return;
    term.write(text);
    if (!text.endsWith("\n")) term.write(DIM + "⏎" + RESET + "\r\n");
  }

  function writeResult(s) {
    const r = s.result || {};
    if (s.state === "failed") { term.write(RED + (s.error || "The command could not be run.") + RESET + "\r\n"); return; }
    if (r.kind === "check") {
      writeOutput(r.output || "");
      term.write((r.passed ? "\x1b[32m# check passed" : YELLOW + "# check not passed") + RESET + "\r\n");
      return;
    }
    writeOutput(r.output || "");
    if (r.note) term.write(YELLOW + "[" + r.note + "]" + RESET + "\r\n");
    if (typeof r.cwd === "string") cwd = r.cwd;
  }

  function finish(s) {
    following = null; current = null;
    writeResult(s);
    say(describe(s));
    root.dispatchEvent(new CustomEvent("cr:terminal-done", { detail: s, bubbles: true }));
    newLine();
  }

  function follow(view) {
    busy = "running"; current = view;
    say(describe(view));
    following = jobs.follow(view, {
      update: (s) => { current = s; say(describe(s)); },
      done: finish,
    });
  }

  function refused(data, fallbackText) {
    const detail = (data && data.detail) || fallbackText;
    term.write(RED + detail + RESET + "\r\n");
    say(detail);
    if (data && (data.error === "attempt_closed" || data.error === "time_up")) stop(detail);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
    return { response, data: await response.json().catch(() => null) };
  }

  async function send(command) {
    busy = "sending";
    say("Sending…");
    try {
      const { response, data } = await post(root.dataset.commandsUrl, { command: command });
      if (data && data.submission && response.status === 202) { follow(data.submission); return; }
      if (data && data.submission && data.error === "submission_pending") {
        term.write(YELLOW + "[the previous command is still running; this one was not sent]" + RESET + "\r\n");
        follow(data.submission);
        return;
      }
      refused(data, "The command was not sent (HTTP " + response.status + ").");
    } catch (e) {
      refused(null, "The connection failed; the command was not sent.");
    }
    newLine();
  }

  function submit() {
    const command = line;
    endInput();
    if (!command.trim()) { newLine(); return; }
    if (history[history.length - 1] !== command) history.push(command);
    send(command);
  }

  function setLine(text) { line = text.slice(0, maxChars); cursor = line.length; redraw(); }

  function insert(text) {
    const printable = Array.from(text).filter((ch) => ch >= " " && ch !== "\x7f").join("");
    if (!printable) return;
    const room = maxChars - line.length;
    if (room <= 0) { term.write("\x07"); return; }
    const piece = printable.slice(0, room);
    line = line.slice(0, cursor) + piece + line.slice(cursor);
    cursor += piece.length;
    redraw();
  }

  const KEYS = {
    "\x1b[D": () => { if (cursor > 0) { cursor -= 1; redraw(); } },
    "\x1b[C": () => { if (cursor < line.length) { cursor += 1; redraw(); } },
    "\x1b[H": () => { cursor = 0; redraw(); }, "\x1bOH": () => { cursor = 0; redraw(); }, "\x01": () => { cursor = 0; redraw(); },
    "\x1b[F": () => { cursor = line.length; redraw(); }, "\x1bOF": () => { cursor = line.length; redraw(); },
    "\x05": () => { cursor = line.length; redraw(); },
    "\x1b[3~": () => { if (cursor < line.length) { line = line.slice(0, cursor) + line.slice(cursor + 1); redraw(); } },
    "\x7f": () => { if (cursor > 0) { line = line.slice(0, cursor - 1) + line.slice(cursor); cursor -= 1; redraw(); } },
    "\x1b[A": () => {
      if (historyAt === 0) return;
      if (historyAt === history.length) stash = line;
      historyAt -= 1;
      setLine(history[historyAt]);
    },
    "\x1b[B": () => {
      if (historyAt >= history.length) return;
      historyAt += 1;
      setLine(historyAt === history.length ? stash : history[historyAt]);
    },
    "\x03": () => { cursor = line.length; redraw(); term.write("^C\r\n"); drawnCursor = 0; newLine(); },
    "\x15": () => { setLine(""); },
    "\x0c": () => { term.clear(); term.write("\x1b[H\x1b[2J"); drawnCursor = 0; redraw(); },
  };
  KEYS["\b"] = KEYS["\x7f"];

  function input(data) {
    if (closed) return;
    if (busy) {
      if (data === "\x03" && current && busy === "running") { // Ctrl+C stops the running command
        term.write("^C");
        jobs.cancel(current, csrf).then((s) => { if (s && !jobs.final(s)) say(describe(s)); }).catch(() => {});
      } else if (busy === "running" && data.length > 1 && !data.startsWith("\x1b")) {
        typeahead += data; // a paste while a command runs waits for the next prompt
      }
      return;
    }
    if (KEYS[data]) { KEYS[data](); return; }
    if (data.startsWith("\x1b")) return; // other keys (function keys, Alt+…) do nothing here
    // Typed or pasted text: a line break sends the line; what follows waits for the next prompt.
    const brk = data.search(/[\r\n]/);
    if (brk < 0) { insert(data); return; }
    insert(data.slice(0, brk));
    typeahead = data.slice(brk + 1).replace(/^\n/, "");
    submit();
  }
  term.onData(input);

  function stop(reason) {
    closed = true;
    busy = "closed";
    term.write(YELLOW + (reason || "This attempt has ended; the terminal is closed.") + RESET + "\r\n");
    term.options.disableStdin = true;
    const report = document.querySelector("[data-clock]");
    if (report && report.dataset.reportUrl) {
      const link = document.createElement("a");
      link.href = report.dataset.reportUrl;
      link.textContent = "Open your report card";
      status.append(" ", link);
    }
  }
  document.addEventListener("cr:time-up", () => { if (!closed) stop("Time is up: the terminal is closed."); });
  // A save in the workspace editor shows in the terminal, as it does in the log after a reload.
  document.addEventListener("cr:workspace-saved", (event) => {
    const d = event.detail || {};
    const edit = d.edit || {};
    const text = DIM + "# saved " + d.path + " in the editor (" + (edit.created ? "new file" : "+" + edit.added + " −" + edit.removed) + ")" + RESET + "\r\n";
    if (busy) { term.write(text); return; }
    const up = Math.floor(drawnCursor / term.cols);
    term.write((up > 0 ? "\x1b[" + up + "A" : "") + "\r\x1b[J" + text);
    drawnCursor = 0;
    redraw();
  });

  function replay(entries) {
    entries.forEach((e) => {
      if (e.kind === "edit") {
        term.write(DIM + "# saved " + e.path + " in the editor (" + (e.created ? "new file" : "+" + e.added + " −" + e.removed) + ")" + RESET + "\r\n");
        return;
      }
      if (e.kind === "command") {
        const was = cwd;
        if (typeof e.started_in === "string") cwd = e.started_in;
        term.write(coloured() + e.command + "\r\n");
        cwd = was;
        if (e.command && history[history.length - 1] !== e.command) history.push(e.command);
      } else {
        term.write(DIM + "# check" + RESET + "\r\n");
      }
      if (e.submission) return; // still running: followed below
      writeResult({ state: e.state, error: e.note, result: { kind: e.kind, output: e.output, note: e.state === "failed" ? "" : e.note, passed: e.result && e.result.passed } });
    });
  }

  async function load() {
    say("Loading the terminal…");
    try {
      const response = await fetch(root.dataset.logUrl, { headers: { Accept: "application/json" } });
      const data = await response.json().catch(() => null);
      if (!response.ok || !data) {
        refused(data, "The terminal's log could not be loaded (HTTP " + response.status + ").");
        if (!closed) newLine();
        return;
      }
      replay(data.entries || []);
      cwd = data.cwd || "";
      say(data.pending ? describe(data.pending) : "Ready.");
      if (data.pending) {
        const last = (data.entries || []).slice(-1)[0];
        if (!last || last.id !== data.pending.id) term.write(DIM + "# " + (data.pending.kind === "check" ? "check" : "command") + " running" + RESET + "\r\n");
        follow(data.pending);
        return;
      }
    } catch (e) {
      say("The terminal's log could not be loaded; new commands still work.");
    }
    newLine();
  }

  async function check() {
    if (!root.dataset.checkUrl || busy || closed) return false;
    endInput();
    term.write(DIM + "# check" + RESET + "\r\n");
    busy = "sending";
    try {
      const { response, data } = await post(root.dataset.checkUrl, {});
      if (data && data.submission && (response.status === 202 || data.error === "submission_pending")) { follow(data.submission); return true; }
      refused(data, "The check was not started (HTTP " + response.status + ").");
    } catch (e) {
      refused(null, "The connection failed; the check was not started.");
    }
    newLine();
    return false;
  }

  const checkButton = root.querySelector("[data-terminal-check]");
  if (checkButton) { checkButton.hidden = false; checkButton.addEventListener("click", () => { check(); }); }
  screen.addEventListener("click", () => term.focus());

  CR.terminal = {
    element: root, xterm: term, check: check,
    run(command) { if (busy || closed) return false; setLine(command); submit(); return true; },
  };
  load();
})();
