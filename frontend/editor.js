// The shared code editor: every <textarea data-editor data-language="python|javascript|java|text"> becomes a
// CodeMirror 6 editor once the page has loaded. The textarea stays in the form, hidden, as the source of truth
// for everything else on the page: it keeps its name (form posts), its value follows every edit and fires a
// bubbling "input" event (scripts that read .value or listen for input keep working). Scripts that change
// the code set textarea.value and dispatch "cr:editor-set" on the textarea. Without JavaScript the textarea
// is simply the editor. A script that adds such textareas later calls CrEditor.enhanceAll() (the bundle's global).
import { minimalSetup } from "codemirror";
import { Annotation, Compartment, EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { javascript } from "@codemirror/lang-javascript";
import { java } from "@codemirror/lang-java";

const LANGUAGES = { python, javascript, java, text: () => [] }; // "text": no highlighting (config files, logs)
const SET_EVENT = "cr:editor-set";
// Marks transactions that copy the textarea into the editor, so they are not echoed back as user input.
const fromTextarea = Annotation.define();

const theme = EditorView.theme({
  "&": {
    border: "1px solid #8a949e",
    borderRadius: "6px",
    backgroundColor: "#fff",
    fontSize: ".95rem",
  },
  // The page's own focus style (app.css): a thick outline a keyboard user can find.
  "&.cm-focused": { outline: "3px solid #f5a623", outlineOffset: "2px" },
  ".cm-scroller": {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
    lineHeight: "1.5",
    maxHeight: "70vh",
  },
  // As tall as the textarea's rows, and all of it clickable.
  ".cm-content, .cm-gutter": { minHeight: "calc(var(--cr-editor-rows, 10) * 1.5em)" },
  ".cm-content": { padding: "6px 0" },
  // Default gutter grey is below AA contrast on its background; this one is 7:1.
  ".cm-gutters": { backgroundColor: "#f1f3f5", color: "#4d5761", borderRight: "1px solid #c9ced6" },
});

function labelFor(textarea) {
  const label = textarea.labels && textarea.labels[0];
  return label ? label.textContent.replace(/\s+/g, " ").trim() : textarea.getAttribute("aria-label") || "Code";
}

function contentAttributes(textarea, name, readOnly) {
  // tabindex: contenteditable is focusable anyway, but checkers (axe) only see it as the focusable content of
  // its scrolling box with an explicit tabindex.
  const attrs = { "aria-label": name, tabindex: "0" };
  const described = textarea.getAttribute("aria-describedby");
  if (described) attrs["aria-describedby"] = described;
  if (readOnly) attrs["aria-readonly"] = "true";
  return attrs;
}

// What follows the textarea's attributes (data-language, readonly), which scripts may change later (the
// Difficult Client learns the task's language only when the task unlocks).
function languageOf(textarea) {
  return (LANGUAGES[textarea.dataset.language] || LANGUAGES.python)();
}

function modeOf(textarea, name) {
  const readOnly = textarea.hasAttribute("readonly");
  return [
    EditorView.contentAttributes.of(contentAttributes(textarea, name, readOnly)),
    // Read-only code stays focusable and navigable by caret; Tab then keeps its usual meaning.
    readOnly ? EditorState.readOnly.of(true) : keymap.of([indentWithTab]),
  ];
}

function extensionsFor(textarea, name, language, mode) {
  return [
    minimalSetup,
    lineNumbers(),
    highlightActiveLineGutter(),
    indentOnInput(),
    bracketMatching(),
    indentUnit.of("    "),
    language.of(languageOf(textarea)),
    mode.of(modeOf(textarea, name)),
    theme,
    EditorView.updateListener.of((update) => {
      if (!update.docChanged || update.transactions.some((tr) => tr.annotation(fromTextarea))) return;
      textarea.value = update.state.doc.toString();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }),
  ];
}

// Copies the textarea into the editor when they differ (another script set textarea.value).
function pullFromTextarea(view, textarea) {
  const current = view.state.doc.toString();
  if (textarea.value === current) return;
  view.dispatch({ changes: { from: 0, to: current.length, insert: textarea.value }, annotations: fromTextarea.of(true) });
}

export function enhance(textarea) {
  if (textarea.dataset.editorReady) return null;
  const wrapper = document.createElement("div");
  wrapper.className = "cr-editor";
  wrapper.style.setProperty("--cr-editor-rows", String(textarea.rows || 10));
  textarea.after(wrapper);
  const name = labelFor(textarea);
  const language = new Compartment();
  const mode = new Compartment();
  const view = new EditorView({
    parent: wrapper,
    state: EditorState.create({ doc: textarea.value, extensions: extensionsFor(textarea, name, language, mode) }),
  });
  textarea.hidden = true;
  textarea.dataset.editorReady = "true";

  textarea.addEventListener(SET_EVENT, () => {
    pullFromTextarea(view, textarea);
    view.requestMeasure();
  });
  new MutationObserver(() => {
    view.dispatch({ effects: [language.reconfigure(languageOf(textarea)), mode.reconfigure(modeOf(textarea, name))] });
  }).observe(textarea, { attributes: true, attributeFilter: ["data-language", "readonly"] });
  // The label now names the editor (aria-label), not the hidden textarea, so that it names one control only;
  // a click on it lands in the editor.
  for (const label of Array.from(textarea.labels || [])) {
    label.removeAttribute("for");
    label.addEventListener("click", () => view.focus());
  }
  // An editor created inside a hidden section measures nothing; measure again once it gets a size. A script
  // that filled the textarea while it was hidden, without the event, is caught up here too.
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => {
      pullFromTextarea(view, textarea);
      view.requestMeasure();
    }).observe(wrapper);
  }
  return view;
}

export function enhanceAll(root = document) {
  root.querySelectorAll("textarea[data-editor]").forEach(enhance);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceAll());
else enhanceAll();
