// Only the chosen phase's options are on the page (the server renders them per phase, so the picker works
// without JavaScript through its "Show this phase's options" button). Here, changing the phase fetches the
// picker rendered for the new phase — the same request that button sends — and swaps its options in place,
// keeping what was typed and the focus on the phase list.
(() => {
  const phase = document.getElementById("phase");
  const button = document.getElementById("show-options");
  if (!phase || !phase.form || !button || !document.getElementById("phase-options")) return;
  const form = phase.form;
  button.remove(); // the options now follow the phase by themselves, and Enter adds the activity
  const status = document.createElement("p");
  status.className = "hint";
  status.setAttribute("role", "status");
  phase.insertAdjacentElement("afterend", status);
  async function swap() {
    const data = new FormData(form);
    data.set("show_options", "1");
    try {
      const response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("phase-options");
      if (!fresh) throw new Error("no options in the answer");
      document.getElementById("phase-options").replaceWith(document.importNode(fresh, true));
      status.textContent = "Showing the options of " + phase.options[phase.selectedIndex].text.split(" — ")[0] + ".";
    } catch (error) {
      // The plain-form way: post the form to get the picker for this phase.
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "show_options";
      input.value = "1";
      form.append(input);
      form.submit();
    }
  }
  phase.addEventListener("change", swap);
})();
