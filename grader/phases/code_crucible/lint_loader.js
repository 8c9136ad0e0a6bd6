'use strict';
// Runs inside the sandbox: unpacks the bundled linter (eslint.br.b64, built by frontend/pack_eslint.js) and runs
// it on the student's file, argv[2]. The student's code is only read, never executed.
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const zlib = require('zlib');

const packed = fs.readFileSync(path.join(__dirname, 'eslint.br.b64'), 'utf8');
const code = zlib.brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
const file = path.join(__dirname, 'eslint_runner.js');
const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`,
  { filename: file });
const bundle = { exports: {} };
wrapper(bundle.exports, require, bundle, file, __dirname);
