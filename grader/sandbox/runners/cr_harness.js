// In-sandbox test harness for JavaScript (Node). Runs inside the sandbox; never imported by the grader.
// argv: <student file> <function name>. stdin: {"nonce", "cases": [{"args": [...]}]}, read completely
// before the student's code is loaded; expected values are never sent here. Records
// "<nonce> <json>\n" go to fd 1 (the result channel) through a write function captured before the
// student's code runs; console output of the student is collected per case instead.
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
  const emit = (record) => writeSync(1, nonce + ' ' + stringify(record) + '\n');

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
    const text = err && err.stack ? String(err.stack) : String(err);
    // keep the message (and for syntax errors the source excerpt) and the student's own frames only
    const lines = text.split('\n');
    const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
    const kept = lines.filter((l, i) => firstFrame < 0 || i < firstFrame || l.includes(studentPath));
    return kept.join('\n').slice(-4000);
  };
  const errorName = (err) => (err && err.constructor && err.constructor.name) || typeof err;

  let func;
  try {
    const mod = require(studentPath);
    func = typeof mod === 'function' && mod.name === functionName ? mod : mod && mod[functionName];
    if (typeof func !== 'function') {
      // Also accept a plain top-level function declaration that was not exported.
      const vm = require('vm');
      const source = fs.readFileSync(studentPath, 'utf8');
      const sandboxModule = { exports: {} };
      const wrapped = vm.runInThisContext(
        '(function (exports, require, module, __filename, __dirname) {' + source +
          '\n;return typeof ' + functionName + " === 'function' ? " + functionName + ' : undefined;\n})',
        { filename: studentPath });
      func = wrapped(sandboxModule.exports, require, sandboxModule, studentPath, path.dirname(studentPath));
    }
    if (typeof func !== 'function') throw new Error('no function named ' + functionName + ' in ' + studentFile);
  } catch (err) {
    emit({ load_error: errorName(err), trace: studentTrace(err), output: takeOutput() });
    process.exit(0);
  }
  emit({ ready: true, output: takeOutput() });

  const toJson = (value) => {
    const seen = new Set();
    const walk = (v, depth) => {
      if (depth > 50) throw new TypeError('nested too deeply');
      if (v === null || v === undefined) return null;
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
      if (typeof v === 'bigint') return Number(v);
      if (typeof v !== 'object') throw new TypeError('return value of type ' + typeof v + ' cannot be compared');
      if (seen.has(v)) throw new TypeError('return value is circular');
      seen.add(v);
      let out;
      if (Array.isArray(v) || ArrayBuffer.isView(v)) out = Array.from(v, (x) => walk(x, depth + 1));
      else if (v instanceof Set) out = Array.from(v, (x) => walk(x, depth + 1));
      else if (v instanceof Map) {
        out = {};
        for (const [k, x] of v) out[String(k)] = walk(x, depth + 1);
      } else {
        out = {};
        for (const k of Object.keys(v)) out[k] = walk(v[k], depth + 1);
      }
      seen.delete(v);
      return out;
    };
    return walk(value, 0);
  };

  const runCase = async (index) => {
    const started = process.hrtime.bigint();
    let record;
    try {
      let value = func(...cases[index].args);
      if (value && typeof value.then === 'function') value = await value;
      try {
        const encoded = toJson(value);
        if (stringify(encoded).length > MAX_VALUE_CHARS) throw new TypeError('return value is too large to compare');
        record = { i: index, status: 'returned', value: encoded };
      } catch (err) {
        record = { i: index, status: 'unserializable', message: String(err && err.message).slice(0, 300) };
      }
    } catch (err) {
      record = { i: index, status: 'raised', error: errorName(err), trace: studentTrace(err) };
    }
    record.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    record.output = takeOutput();
    emit(record);
  };

  (async () => {
    for (let i = 0; i < cases.length; i += 1) await runCase(i);
    emit({ done: true });
    process.reallyExit(0);
  })();
})();
