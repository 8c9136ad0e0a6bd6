// The diff view for the workbench: diff2html (a git-style unified diff as a table of added and removed lines)
// with highlight.js for the code's syntax, bundled with their CSS into
// lti_app/workbench/static/vendor/diff.bundle.js (+ diff.bundle.css) under the global CrDiff.
// Only the languages a phase's repositories hold are registered; anything else is shown as plain text.
// diff2html's templates are precompiled (no eval), so the page's CSP (script-src 'self') holds.
import "diff2html/bundles/css/diff2html.min.css";
import "highlight.js/styles/github.css";
import { Diff2HtmlUI } from "diff2html/lib/ui/js/diff2html-ui-base";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import ini from "highlight.js/lib/languages/ini";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import yaml from "highlight.js/lib/languages/yaml";

for (const [name, language] of Object.entries({ bash, ini, javascript, json, markdown, plaintext, python, yaml })) {
  hljs.registerLanguage(name, language);
}

const DEFAULTS = {
  outputFormat: "line-by-line",
  drawFileList: false,
  matching: "lines",
  highlight: true,
  synchronisedScroll: false,
  fileListToggle: false,
  fileContentToggle: false,
  stickyFileHeaders: false,
  colorScheme: "light",
  renderNothingWhenEmpty: false,
};

// Draw ``patch`` (a unified diff, as git writes it) into ``target``; ``options`` override diff2html's.
export function render(target, patch, options) {
  const ui = new Diff2HtmlUI(target, patch, { ...DEFAULTS, ...(options || {}) }, hljs);
  ui.draw();
  return ui;
}

export { hljs };
