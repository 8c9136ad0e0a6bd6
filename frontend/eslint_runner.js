'use strict';
// The Code Crucible's JavaScript linter, run with node INSIDE the sandbox on a student's file (argv[2]).
// Bundled by pack_eslint.js (esbuild + brotli) into grader/phases/code_crucible/build/; never run on the host.
// It parses the file (ESLint's espree, an acorn-based parser) and never executes it. Prints one line,
// "CRLINT <json>": ESLint's findings and measured rubric items (function length, nesting depth, cyclomatic
// complexity, names). Inline directives (/* eslint-disable */) are ignored: a comment cannot hide a finding.
const fs = require('fs');
const { Linter } = require('eslint/universal');
const js = require('@eslint/js');
const espree = require('espree');

const MAX_FINDINGS = 200;
const SHORT_NAMES_OK = new Set(['i', 'j', 'k', 'n', 'x', 'y', 'a', 'b', '_']);  // loop counters, comparators
const NODE_GLOBALS = ['console', 'process', 'require', 'module', 'exports', '__dirname', '__filename', 'Buffer',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask',
  'structuredClone', 'globalThis', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams'];

// argv[3]: the function the task asks for, which a student may leave unexported (the harness finds it anyway);
// it and the student's own test...() functions are meant to be called from outside.
const wanted = /^[A-Za-z_$][\w$]*$/.test(process.argv[3] || '') ? process.argv[3] : 'solution';

const config = [
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'commonjs',
      globals: Object.fromEntries(NODE_GLOBALS.map((name) => [name, 'readonly'])),
    },
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
    rules: {
      eqeqeq: 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-console': 'error',
      'no-unused-vars': ['error', { varsIgnorePattern: `^(test\\w*|${wanted})$` }],
    },
  },
];

const CONTROL = new Set(['IfStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement',
  'DoWhileStatement', 'SwitchStatement', 'TryStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function decisions(node) {
  switch (node.type) {
    case 'IfStatement': case 'ConditionalExpression': case 'ForStatement': case 'ForInStatement':
    case 'ForOfStatement': case 'WhileStatement': case 'DoWhileStatement': case 'CatchClause':
      return 1;
    case 'SwitchCase':
      return node.test ? 1 : 0;
    case 'LogicalExpression':
      return 1;
    default:
      return 0;
  }
}

function children(node) {
  const out = [];
  for (const key of Object.keys(node)) {
    if (key === 'parent' || key === 'loc' || key === 'range') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === 'string') out.push(item);
    } else if (value && typeof value.type === 'string') {
      out.push(value);
    }
  }
  return out;
}

function patternNames(node, out) {
  if (!node) return;
  if (node.type === 'Identifier') out.push(node.name);
  else if (node.type === 'ObjectPattern') node.properties.forEach((p) => patternNames(p.value || p.argument, out));
  else if (node.type === 'ArrayPattern') node.elements.forEach((e) => patternNames(e, out));
  else if (node.type === 'RestElement') patternNames(node.argument, out);
  else if (node.type === 'AssignmentPattern') patternNames(node.left, out);
}

function measure(ast) {
  const functions = [];
  const names = [];
  // Iterative walk: a deeply nested file must not overflow the stack.
  const stack = [{ node: ast, fn: null, depth: 0, constant: false }];
  while (stack.length) {
    const { node, fn, depth, constant } = stack.pop();
    let current = fn;
    let level = depth;
    if (FUNCTIONS.has(node.type)) {
      current = { name: (node.id && node.id.name) || node.crName || '(anonymous)', lines:
        node.loc.end.line - node.loc.start.line + 1, line: node.loc.start.line, depth: 0, complexity: 1 };
      functions.push(current);
      level = 0;
      if (node.id) names.push({ name: node.id.name, kind: 'function' });
      node.params.forEach((p) => { const found = []; patternNames(p, found); found.forEach((n) => names.push({ name: n, kind: 'variable' })); });
    } else if (current) {
      current.complexity += decisions(node);
      if (CONTROL.has(node.type)) {
        level += 1;
        current.depth = Math.max(current.depth, level);
      }
    }
    if (node.type === 'VariableDeclarator') {
      const found = [];
      patternNames(node.id, found);
      found.forEach((n) => names.push({ name: n, kind: constant ? 'constant' : 'variable' }));
      if (node.init && FUNCTIONS.has(node.init.type) && node.id.type === 'Identifier') node.init.crName = node.id.name;
    }
    if (node.type === 'ClassDeclaration' && node.id) names.push({ name: node.id.name, kind: 'class' });
    if (node.type === 'MethodDefinition' && node.key && node.key.type === 'Identifier') {
      node.value.crName = node.key.name;
      if (node.kind === 'method') names.push({ name: node.key.name, kind: 'function' });
    }
    const topConst = node.type === 'VariableDeclaration' && node.kind === 'const' && !current;
    for (const child of children(node).reverse()) {
      stack.push({ node: child, fn: current, depth: level, constant: topConst });
    }
  }
  const badNames = [];
  for (const { name, kind } of names) {
    const short = name.length < 2 && !SHORT_NAMES_OK.has(name);
    const styled = kind === 'class' ? /^[A-Z][A-Za-z0-9]*$/.test(name)
      : /^[a-z_$][A-Za-z0-9$]*$/.test(name) || (kind === 'constant' && /^[A-Z][A-Z0-9_]*$/.test(name));
    if ((short || !styled) && !badNames.includes(name)) badNames.push(name);
  }
  return {
    functions: functions.map((f) => ({ name: f.name, line: f.line, lines: f.lines, depth: f.depth,
      complexity: f.complexity })),
    name_count: new Set(names.map((n) => n.name)).size,
    bad_names: badNames.slice(0, 20),
  };
}

function main() {
  const source = fs.readFileSync(process.argv[2], 'utf8');
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(source, config, { filename: 'solution.js' });
  const findings = messages.slice(0, MAX_FINDINGS).map((m) => ({
    line: m.line || 0, rule: m.ruleId || (m.fatal ? 'parse-error' : 'eslint'), message: String(m.message).slice(0, 300),
  }));
  let metrics = null;
  let parseError = messages.some((m) => m.fatal);
  if (!parseError) {
    try {
      metrics = measure(espree.parse(source, { ecmaVersion: 'latest', sourceType: 'script', loc: true }));
    } catch (err) {
      parseError = true;
    }
  }
  process.stdout.write('CRLINT ' + JSON.stringify({ findings, finding_count: messages.length, metrics,
    parse_error: parseError }) + '\n');
}

main();
