// The Imposter page: the commit graph (an SVG of lanes, merges and refs beside a list of commit buttons, drawn
// from the graph API), the author filter, a commit's diff (diff2html, vendor/diff.bundle.js, global CrDiff), the
// quick commands for the workbench's terminal, the report (a draft kept as the student types, Save, each field's
// error) and Finish. Without JavaScript the page's plain list, links, filter form and report form do the same.
(function () {
  "use strict";
  const root = document.getElementById("im");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const ROW = 48, LANE = 16, PAD = 12, R = 5;
  const COLOURS = ["#0b5cad", "#b35900", "#1e6b34", "#8250df", "#a4161a", "#0a6c74"];

  // ----- requests ----------------------------------------------------------------------------------------
  async function call(url, method, body) {
    const options = { method: method || "GET", headers: { Accept: "application/json" } };
    if (method && method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (e) {
      return { ok: false, status: 0, data: { detail: "The connection failed; nothing was lost. Try again." } };
    }
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data: data };
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text != null) node.textContent = text;
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  function shortDate(iso) { // the author's own clock, as git shows it
    return iso.slice(0, 10) + " " + iso.slice(11, 16) + " " + (iso.slice(19) || "UTC");
  }

  function closedAnswer(result) {
    const reason = result.data && result.data.error;
    if (reason === "attempt_closed" || reason === "time_up") {
      window.setTimeout(() => window.location.assign(root.dataset.reportUrl), 1500);
    }
  }

  // ----- the graph ---------------------------------------------------------------------------------------
  const box = root.querySelector("[data-graph]");
  const fallback = root.querySelector("[data-graph-fallback]");
  const graphStatus = document.getElementById("im-graph-status");
  const filterForm = document.getElementById("im-filter");
  const authorSelect = document.getElementById("im-author");
  let data = null, selected = null, author = authorSelect.value;

  function lane(commit) { return PAD + commit.lane * LANE; }

  function drawGraph(commits, edges) {
    const lanes = Math.max(1, ...commits.map((c) => c.lane + 1));
    const width = PAD * 2 + (lanes - 1) * LANE;
    const picture = svg("svg", { width: String(width), height: String(commits.length * ROW), "aria-hidden": "true",
                                 focusable: "false", class: "im-lanes" });
    const row = new Map(commits.map((c, i) => [c.sha, i]));
    if (edges) {
      commits.forEach((c, i) => {
        const x = lane(c), y = i * ROW + ROW / 2;
        c.parents.forEach((parent, j) => {
          const k = row.get(parent);
          if (k === undefined) return;
          const p = commits[k], px = lane(p), py = k * ROW + ROW / 2;
          let d;
          if (px === x) d = `M${x} ${y} L${px} ${py}`;
          else if (j > 0) d = `M${x} ${y} C${x} ${y + ROW * 0.6} ${px} ${y + ROW * 0.4} ${px} ${y + ROW} L${px} ${py}`;
          else d = `M${x} ${y} L${x} ${py - ROW} C${x} ${py - ROW * 0.4} ${px} ${py - ROW * 0.6} ${px} ${py}`;
          const colour = COLOURS[(j > 0 ? p.lane : c.lane) % COLOURS.length];
          picture.append(svg("path", { d: d, fill: "none", stroke: colour, "stroke-width": "2" }));
        });
      });
    }
    commits.forEach((c, i) => {
      const colour = COLOURS[c.lane % COLOURS.length];
      const dot = svg("circle", { cx: String(lane(c)), cy: String(i * ROW + ROW / 2), r: String(c.merge ? R + 1 : R),
                                  fill: c.new ? "#fff" : colour, stroke: colour, "stroke-width": "2" });
      picture.append(dot);
    });
    return picture;
  }

  function commitButton(c, index, total) {
    const button = el("button", { type: "button", class: "im-commit", "data-sha": c.sha,
                                  "aria-current": String(c.sha === selected), tabindex: "-1" });
    const first = el("span", { class: "im-line1" });
    first.append(el("span", { class: "im-sha" }, c.sha.slice(0, 7)), " ");
    c.refs.forEach((ref) => first.append(el("span", { class: "im-ref" + (ref === "HEAD" || ref === "main" ? " im-ref-head" : "") }, ref), " "));
    if (c.new) first.append(el("span", { class: "im-tag-new" }, "yours"));
    first.append(c.subject);
    const second = el("span", { class: "im-line2" },
                      c.author + " · " + shortDate(c.date) + (c.merge ? " · merge of " + c.parents.length + " parents" : ""));
    button.append(first, second);
    button.setAttribute("aria-label", `Commit ${c.sha.slice(0, 7)}: ${c.subject}. By ${c.author}, ${shortDate(c.date)}.` +
      (c.refs.length ? ` Branches: ${c.refs.join(", ")}.` : "") + (c.merge ? " A merge." : "") +
      (c.new ? " Your commit." : "") + ` ${index + 1} of ${total}.`);
    return button;
  }

  function render() {
    if (!data) return;
    const who = data.authors.find((a) => a.email === author);
    const shown = who ? data.commits.filter((c) => c.email === author) : data.commits;
    box.textContent = "";
    const list = el("ol", { "aria-label": who ? `Commits by ${who.name}, newest first` : "Commits, newest first" });
    shown.forEach((c, i) => {
      const item = el("li");
      item.append(commitButton(c, i, shown.length));
      list.append(item);
    });
    box.append(drawGraph(shown, !who), list);
    const buttons = list.querySelectorAll("button.im-commit");
    const current = Array.from(buttons).find((b) => b.dataset.sha === selected) || buttons[0];
    if (current) current.tabIndex = 0; // one tab stop for the list: arrows move within it
    graphStatus.textContent = who ? `Showing ${shown.length} of ${data.commits.length} commits, by ${who.name}.`
      : `${data.commits.length} commits, newest first.`;
  }

  async function loadGraph() {
    const result = await call(root.dataset.graphUrl);
    if (!result.ok) {
      graphStatus.textContent = (result.data && result.data.detail) || "The history could not be loaded.";
      closedAnswer(result);
      return;
    }
    data = result.data;
    const known = new Set(data.authors.map((a) => a.email));
    // Keep the select in step with the authors (the student's own commits add "You" once they commit).
    data.authors.forEach((a) => {
      if (!Array.from(authorSelect.options).some((o) => o.value === a.email)) {
        authorSelect.append(el("option", { value: a.email }, `${a.name} <${a.email}>`));
      }
    });
    if (author && !known.has(author)) author = "";
    render();
    box.hidden = false;
    fallback.hidden = true;
  }

  box.addEventListener("click", (event) => {
    const button = event.target.closest("button.im-commit");
    if (button) openCommit(button.dataset.sha, button);
  });

  box.addEventListener("keydown", (event) => {
    const button = event.target.closest("button.im-commit");
    if (!button) return;
    const buttons = Array.from(box.querySelectorAll("button.im-commit"));
    const at = buttons.indexOf(button);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (to === undefined || !buttons[to]) return;
    event.preventDefault();
    button.tabIndex = -1;
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  });

  filterForm.querySelector("[data-filter-submit]").hidden = true; // the select applies itself
  root.querySelector("[data-graph-keys]").hidden = false;
  authorSelect.addEventListener("change", () => {
    author = authorSelect.value;
    render();
    call(root.dataset.filterUrl, "POST", { author: author }).then(closedAnswer);
  });
  filterForm.addEventListener("submit", (event) => event.preventDefault());

  // ----- a commit's diff ---------------------------------------------------------------------------------
  const diffBox = document.getElementById("im-diff");
  const diffTitle = document.getElementById("im-diff-title");
  const meta = diffBox.querySelector("[data-diff-meta]");
  const message = diffBox.querySelector("[data-diff-message]");
  const files = diffBox.querySelector("[data-diff-files]");
  const patchBox = diffBox.querySelector("[data-diff-patch]");
  let shownCommit = null;

  function plainPatch(patch) { // without the diff bundle: coloured lines, as the page without JavaScript has
    const pre = el("pre", { class: "im-plain-patch", tabindex: "0", "aria-label": "Changes" });
    patch.split("\n").forEach((line) => {
      const kind = line.startsWith("+") && !line.startsWith("+++") ? "im-add"
        : line.startsWith("-") && !line.startsWith("---") ? "im-del" : line.startsWith("@@") ? "im-hunk" : "im-same";
      pre.append(el("span", { class: kind }, line || " "));
    });
    return pre;
  }

  function showDiff(c) {
    shownCommit = c;
    diffTitle.textContent = `Commit ${c.sha.slice(0, 7)}: ${c.subject}`;
    meta.textContent = "";
    const rows = [["Sha", c.sha], ["Author", `${c.author} <${c.email}>`], ["Date", c.date],
                  ["Parents", c.parents.length ? c.parents.map((p) => p.slice(0, 7)).join(", ") +
                    (c.parents.length > 1 ? " (a merge, shown against its first parent)" : "") : "none (the first commit)"]];
    rows.forEach(([k, v]) => meta.append(el("dt", {}, k), el("dd", {}, v)));
    message.textContent = c.message;
    files.textContent = "";
    c.files.forEach((f) => {
      const item = el("li");
      item.append(el("code", {}, f.path), " ", el("span", { class: "im-add-count" }, "+" + f.added), " ",
                  el("span", { class: "im-del-count" }, "−" + f.removed));
      files.append(item);
    });
    if (!c.files.length) files.append(el("li", {}, "No file changed."));
    patchBox.textContent = "";
    if (c.patch && window.CrDiff) {
      window.CrDiff.render(patchBox, c.patch);
      patchBox.querySelectorAll(".d2h-file-wrapper").forEach((wrapper) => {
        const name = (wrapper.querySelector(".d2h-file-name") || {}).textContent || "a file";
        // Each file's changes scroll sideways: a keyboard must reach them, a screen reader hear whose they are.
        wrapper.querySelectorAll(".d2h-file-diff, .d2h-files-diff").forEach((region) => {
          region.tabIndex = 0;
          region.setAttribute("role", "region");
          region.setAttribute("aria-label", "Changes to " + name.trim());
        });
      });
    } else if (c.patch) {
      patchBox.append(plainPatch(c.patch));
    }
    if (c.cut) patchBox.append(el("p", { class: "muted" }, `The diff is longer than shown here; git show ${c.sha.slice(0, 7)} in the terminal shows all of it.`));
    diffBox.hidden = false;
  }

  async function openCommit(sha, button) {
    selected = sha;
    box.querySelectorAll("button.im-commit").forEach((b) => {
      b.setAttribute("aria-current", String(b.dataset.sha === sha));
      b.tabIndex = b.dataset.sha === sha ? 0 : -1;
    });
    graphStatus.textContent = `Opening commit ${sha.slice(0, 7)}…`;
    const result = await call(root.dataset.commitUrl.replace("SHA", encodeURIComponent(sha)));
    if (!result.ok) {
      graphStatus.textContent = (result.data && result.data.detail) || `Commit ${sha.slice(0, 7)} could not be opened.`;
      closedAnswer(result);
      return;
    }
    showDiff(result.data);
    graphStatus.textContent = `Showing commit ${sha.slice(0, 7)} below: ${result.data.files.length} file` +
      (result.data.files.length === 1 ? "" : "s") + " changed.";
    if (button) diffBox.scrollIntoView({ block: "nearest" });
  }

  diffBox.querySelector("[data-use-commit]").addEventListener("click", () => {
    if (!shownCommit) return;
    commitInput.value = shownCommit.sha.slice(0, 10);
    commitInput.dispatchEvent(new Event("input", { bubbles: true }));
    commitInput.focus();
  });

  // ----- the terminal ------------------------------------------------------------------------------------
  const terminal = document.querySelector("[data-terminal]");
  if (terminal) {
    terminal.addEventListener("cr:terminal-done", (event) => {
      const r = (event.detail || {}).result || {};
      if (r.changed || r.remote_changed) loadGraph(); // a commit, a checkout, a push: the graph follows
    });
  }
  const quick = document.getElementById("im-quick");
  if (quick) {
    window.setTimeout(() => { // once the terminal has started
      const T = window.CodeResidency && window.CodeResidency.terminal;
      if (!T) return;
      quick.hidden = false;
      quick.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-command]");
        if (button && !T.run(button.dataset.command)) {
          graphStatus.textContent = "The terminal is busy: wait for the command to end.";
        }
      });
    }, 0);
  }

  // ----- the report --------------------------------------------------------------------------------------
  const form = document.getElementById("im-report-form");
  const commitInput = document.getElementById("im-commit");
  const reportStatus = document.getElementById("im-report-status");
  const reportError = document.getElementById("im-report-error");
  const FIELDS = ["imposter", "commit", "resolution", "why"];
  let draftTimer = null, draftSent = "";

  function fields() {
    const values = {};
    FIELDS.forEach((name) => {
      const control = form.elements[name];
      values[name] = control ? String(control.value || "") : "";
    });
    return values;
  }

  function showErrors(errors) {
    FIELDS.forEach((name) => {
      const box = form.querySelector(`[data-field-error="${name}"]`);
      const message = errors[name] || "";
      box.textContent = message;
      box.hidden = !message;
      const target = name === "imposter" || name === "resolution" ? document.getElementById(`im-${name}-group`)
        : form.elements[name];
      if (message) target.setAttribute("aria-invalid", "true"); else target.removeAttribute("aria-invalid");
    });
  }

  function timeOf(iso) { return iso ? iso.slice(11, 19) + " UTC" : ""; }

  async function saveDraft() {
    const values = fields();
    const key = JSON.stringify(values);
    if (key === draftSent) return;
    const result = await call(root.dataset.draftUrl, "PUT", values);
    if (result.ok) draftSent = key;
  }

  form.addEventListener("input", () => {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(saveDraft, 1200);
  });
  form.addEventListener("change", () => {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(saveDraft, 400);
  });

  async function saveReport() {
    window.clearTimeout(draftTimer);
    const result = await call(root.dataset.reportSaveUrl, "POST", fields());
    if (result.ok) {
      showErrors({});
      reportError.hidden = true;
      root.dataset.reportSaved = result.data.saved_at;
      reportStatus.textContent = `Report saved. Your report was saved at ${timeOf(result.data.saved_at)}.`;
      draftSent = JSON.stringify(fields());
      return true;
    }
    const errors = (result.data && result.data.errors) || {};
    showErrors(errors);
    reportError.textContent = Object.keys(errors).length
      ? "The report was not saved: fix the answers marked above (what you typed is kept)."
      : (result.data && result.data.detail) || "The report was not saved.";
    reportError.hidden = false;
    closedAnswer(result);
    return false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveReport();
  });

  // ----- finish ------------------------------------------------------------------------------------------
  const finishForm = document.getElementById("im-finish");
  const finishError = document.getElementById("im-finish-error");
  finishForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = fields();
    const typed = values.imposter || values.commit.trim() || values.resolution || values.why.trim();
    const question = typed
      ? "Finish now? Your report is saved as it is in the form, the shared remote is read as it is now, and you cannot change anything afterwards."
      : "Finish without a report? The shared remote is read as it is now, and you cannot change anything afterwards.";
    if (!window.confirm(question)) return;
    finishError.hidden = true;
    const result = await call(root.dataset.finishUrl, "POST", typed ? { report: values } : {});
    if (result.ok) {
      window.location.assign(result.data.report_url || root.dataset.reportUrl);
      return;
    }
    if (result.data && result.data.errors) {
      showErrors(result.data.errors);
      reportError.textContent = "Not finished: the report cannot be saved as it is; fix the answers marked above.";
      reportError.hidden = false;
      form.scrollIntoView({ block: "nearest" });
      return;
    }
    finishError.textContent = (result.data && result.data.detail) || "The attempt could not be finished. Try again.";
    finishError.hidden = false;
    closedAnswer(result);
  });

  document.addEventListener("cr:time-up", () => {
    window.clearTimeout(draftTimer);
    saveDraft();
  });

  loadGraph();
})();
