// Polls the attempt's status until grading and gradebook delivery settle, then reloads once
// so the report card shows the final grade. Updates a polite live region for screen readers.
(function () {
  const box = document.getElementById("status");
  const live = document.getElementById("live-status");
  if (!box || !live) return;
  const url = box.dataset.statusUrl;
  const settled = (s) => s.passback && ["sent", "failed"].includes(s.passback.state);
  // Keeps the same markup as the server-rendered region (a data-<kind> span around the state)
  // so scripts and tests can read the state whichever rendered it last.
  function show(label, kind, state, detail) {
    const span = document.createElement("span");
    span.dataset[kind] = "";
    span.textContent = state;
    live.replaceChildren(document.createTextNode(label), span, document.createTextNode(detail));
  }
  let delay = 1000;
  async function tick() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const s = await response.json();
      if (s.grade && !box.querySelector("[data-letter]")) { window.location.reload(); return; }
      if (s.passback) {
        show("Gradebook: ", "passback", s.passback.state, s.passback.reason ? " (" + s.passback.reason + ")" : "");
      } else if (s.evaluation) {
        const pos = s.evaluation.position;
        show("Grading: ", "evaluation", s.evaluation.state, pos != null ? " (position " + (pos + 1) + " in the queue)" : "");
      }
      if (settled(s)) return;
    } catch (e) {
      live.textContent = "Checking status…";
    }
    delay = Math.min(delay * 1.5, 10000);
    setTimeout(tick, delay);
  }
  setTimeout(tick, delay);
})();
