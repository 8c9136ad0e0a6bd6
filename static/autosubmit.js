// Submits forms marked data-autosubmit as soon as the page loads (LTI hand-overs such as the deep-linking
// answer). Each such form also shows a button, the way through without JavaScript.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
