// In-sandbox test harness for JavaScript (Node). Runs inside the sandbox; never imported by the grader.
// argv: <student file> <function name, or "-" when every case names its own>. stdin: {"nonce", "cases":
// [{"args": [...], "fn": optional function name}]}, read completely before the student's code is loaded;
// expected values are never sent here. A case's own function is looked up when the case runs: a missing
// one fails that case (ReferenceError), not the load. Records
// "<nonce> <json>\n" go to fd 1 (the result channel) through a write function captured before the
// student's code runs; console output of the student is collected per case instead.
// Records are written as text by this file (JSON.stringify only ever sees primitive strings, so a
// patched toJSON has no say), with NaN and Infinity as the tokens the grader reads as numbers; the clock
// and the other built-ins used here are captured before the student's code loads. Code in this process
// can still do a lot, which is why the grader takes nothing from a hidden case's record but its category
// and whether the value is right.
'use strict';
(function harness() {
  const fs = require('fs');
  const path = require('path');
  const MAX_VALUE_CHARS = 16000;
  const MAX_OUTPUT = 2000;
  const [studentFile, functionName] = process.argv.slice(2);
  const payload = JSON.parse(fs.readFileSync(0, 'utf8'));
  const nonce = payload.nonce;
  const cases = payload.cases;
  const writeSync = fs.writeSync;
  const stringify = JSON.stringify;
  const hrtime = process.hrtime.bigint;
  const reallyExit = process.reallyExit.bind(process);
  const { isArray, from: arrayFrom } = Array;
  const { isView } = ArrayBuffer;
  const { keys } = Object;
  const NumberOf = Number;
  const SetClass = Set;
  const MapClass = Map;
  // A leading newline ends whatever partial line the student's code may have left on fd 1.
  const emit = (text) => writeSync(1, '\n' + nonce + ' ' + text + '\n');
  // Text of anything the student controls (a name, a message), and its JSON string: never throws, and
  // stringify only ever sees a primitive string, so no toJSON is called.
  const text = (value) => {
    try {
      return '' + value;
    } catch (err) {
      return '?';
    }
  };
  const str = (value) => stringify(text(value));
  const num = (v) => (v !== v ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : '' + v);

  let captured = '';
  const capture = (chunk, encoding, cb) => {
    if (captured.length < MAX_OUTPUT) captured += String(chunk);
    if (typeof encoding === 'function') encoding();
    else if (typeof cb === 'function') cb();
    return true;
  };
  process.stdout.write = capture;
  process.stderr.write = capture;
  const takeOutput = () => {
    const out = captured.slice(0, MAX_OUTPUT);
    captured = '';
    return out;
  };

  const studentPath = path.resolve(studentFile);
  const studentTrace = (err) => {
    try {
      const text = err && err.stack ? String(err.stack) : String(err);
      // keep the message (and for syntax errors the source excerpt) and the student's own frames only
      const lines = text.split('\n');
      const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
      const kept = lines.filter((l, i) => firstFrame < 0 || i < firstFrame || l.includes(studentPath));
      return kept.join('\n').slice(-4000);
    } catch (e) {
      return '';
    }
  };
  const errorName = (err) => {
    try {
      return (err && err.constructor && err.constructor.name) || typeof err;
    } catch (e) {
      return typeof err;
    }
  };

  const wanted = functionName === '-' ? null : functionName;
  const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  let mod;
  let func;
  // Top-level function declarations that were not exported, by name (found once, at load).
  const unexported = new MapClass();
  const exported = (name) => {
    const value = typeof mod === 'function' && mod.name === name ? mod : mod && mod[name];
    return typeof value === 'function' ? value : undefined;
  };
  const lookup = (name) => exported(name) || unexported.get(name);
  try {
    mod = require(studentPath);
    const names = [...new SetClass([wanted, ...cases.map((c) => c.fn)])]
      .filter((n) => typeof n === 'string' && identifier.test(n) && !exported(n));
    if (names.length) {
      // Also accept plain top-level function declarations that were not exported. The names go into an
      // array literal: the student's own top-level names could shadow Map or Object here.
      const vm = require('vm');
      const source = fs.readFileSync(studentPath, 'utf8');
      const sandboxModule = { exports: {} };
      const found = names.map((n) => 'typeof ' + n + " === 'function' ? " + n + ' : void 0').join(', ');
      const wrapped = vm.runInThisContext(
        '(function (exports, require, module, __filename, __dirname) {' + source + '\n;return [' + found + '];\n})',
        { filename: studentPath });
      const values = wrapped(sandboxModule.exports, require, sandboxModule, studentPath, path.dirname(studentPath));
      names.forEach((n, i) => {
        if (typeof values[i] === 'function') unexported.set(n, values[i]);
      });
    }
    if (wanted !== null) {
      func = lookup(wanted);
      if (typeof func !== 'function') throw new Error('no function named ' + wanted + ' in ' + studentFile);
    }
  } catch (err) {
    emit('{"load_error":' + str(errorName(err)) + ',"trace":' + str(studentTrace(err)) +
         ',"output":' + str(takeOutput()) + '}');
    reallyExit(0);
  }
  emit('{"ready":true,"output":' + str(takeOutput()) + '}');

  // The JSON text of a return value (the same shapes as before: arrays, typed arrays and sets are lists,
  // maps and plain objects are objects, undefined is null, a BigInt is a number).
  const toJson = (value) => {
    const seen = new SetClass();
    const walk = (v, depth) => {
      if (depth > 50) throw new TypeError('nested too deeply');
      if (v === null || v === undefined) return 'null';
      const type = typeof v;
      if (type === 'number') return num(v);
      if (type === 'bigint') return num(NumberOf(v));
      if (type === 'string') return stringify(v);
      if (type === 'boolean') return v ? 'true' : 'false';
      if (type !== 'object') throw new TypeError('return value of type ' + type + ' cannot be compared');
      if (seen.has(v)) throw new TypeError('return value is circular');
      seen.add(v);
      let out;
      if (isArray(v) || isView(v) || v instanceof SetClass) {
        out = '[' + arrayFrom(v, (x) => walk(x, depth + 1)).join(',') + ']';
      } else if (v instanceof MapClass) {
        const parts = [];
        for (const [k, x] of v) parts.push(str(k) + ':' + walk(x, depth + 1));
        out = '{' + parts.join(',') + '}';
      } else {
        out = '{' + keys(v).map((k) => stringify(k) + ':' + walk(v[k], depth + 1)).join(',') + '}';
      }
      seen.delete(v);
      return out;
    };
    return walk(value, 0);
  };

  const runCase = async (index) => {
    const started = hrtime();
    let record;
    try {
      const name = cases[index].fn;
      const target = name === undefined || name === null ? func : lookup(name);
      if (typeof target !== 'function') throw new ReferenceError('no function named ' + name + ' in ' + studentFile);
      let value = target(...cases[index].args);
      if (value && typeof value.then === 'function') value = await value;
      try {
        const encoded = toJson(value);
        if (encoded.length > MAX_VALUE_CHARS) throw new TypeError('return value is too large to compare');
        record = '{"i":' + index + ',"status":"returned","value":' + encoded;
      } catch (err) {
        const message = text(err && err.message).slice(0, 300);
        record = '{"i":' + index + ',"status":"unserializable","message":' + str(message);
      }
    } catch (err) {
      record = '{"i":' + index + ',"status":"raised","error":' + str(errorName(err)) +
        ',"trace":' + str(studentTrace(err));
    }
    const seconds = NumberOf(hrtime() - started) / 1e9;
    emit(record + ',"seconds":' + num(seconds) + ',"output":' + str(takeOutput()) + '}');
  };

  (async () => {
    for (let i = 0; i < cases.length; i += 1) await runCase(i);
    emit('{"done":true}');
    reallyExit(0);
  })();
})();
