// The attempt's countdown, from the server's figure. The server enforces the deadline and closes the
// attempt by itself; this only shows it, re-syncs every 30 s, and at zero tells the page ("cr:time-up"
// on document) and follows the attempt to its report card.
(function () {
  "use strict";
  const box = document.querySelector("[data-clock]");
  if (!box) return;
  const left = box.querySelector("[data-clock-left]");
  const url = box.dataset.clockUrl;
  let ends = Date.now() + Number(box.dataset.secondsLeft) * 1000;
  let over = false;

  function phrase(seconds) {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return minutes === 1 ? "1 minute left." : minutes + " minutes left.";
    }
    return seconds === 1 ? "1 second left." : seconds + " seconds left.";
  }

  async function sync() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (data.seconds_left != null) ends = Date.now() + data.seconds_left * 1000;
      return data;
    } catch (e) {
      return null;
    }
  }

  async function followToReport() {
    for (let delay = 1000; ; delay = Math.min(delay * 1.5, 5000)) {
      const data = await sync();
      if (data && data.status !== "open") { window.location.assign(box.dataset.reportUrl); return; }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  function tick() {
    const seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
    if (seconds > 0) {
      left.textContent = phrase(seconds);
      setTimeout(tick, seconds > 120 ? 5000 : 1000);
      return;
    }
    if (over) return;
    over = true;
    left.textContent = "Time is up: your attempt is being closed" +
      (box.dataset.submitsDraft === "1" ? ", your last saved code submitted" : "") + " and graded.";
    left.setAttribute("role", "alert");
    document.dispatchEvent(new CustomEvent("cr:time-up"));
    followToReport();
  }

  setInterval(sync, 30000);
  tick();
})();
