// The terminal library for the workbench: xterm.js and its fit add-on, bundled with their CSS into
// lti_app/workbench/static/vendor/terminal.bundle.js (+ terminal.bundle.css) under the global CrXterm.
// The page glue (the line editor, commands, the log) is lti_app/workbench/static/terminal.js.
import "@xterm/xterm/css/xterm.css";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

export { Terminal, FitAddon };
