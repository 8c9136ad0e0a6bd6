'use strict';
// Builds the Code Crucible's in-sandbox JavaScript linter: eslint_runner.js and ESLint bundled by esbuild into
// one file, brotli-compressed and base64-encoded, so it travels into the sandbox as a single text file well
// under the sandbox's per-file limit (512 KiB). grader/phases/code_crucible/lint_loader.js unpacks and runs it.
//   node pack_eslint.js            (npm run build does it)
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const esbuild = require('esbuild');

const OUT = path.join(__dirname, '..', 'grader', 'phases', 'code_crucible', 'build', 'eslint.br.b64');
const LIMIT = 512 * 1024;

const result = esbuild.buildSync({
  entryPoints: [path.join(__dirname, 'eslint_runner.js')],
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node18',
  write: false,
  legalComments: 'none',
  logLevel: 'error',
});
const code = Buffer.from(result.outputFiles[0].contents);
const packed = zlib.brotliCompressSync(code, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } })
  .toString('base64');
if (packed.length > LIMIT) {
  throw new Error(`the packed linter is ${packed.length} bytes, over the sandbox's ${LIMIT}-byte file limit`);
}
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, packed + '\n');
process.stdout.write(`pack_eslint: ${code.length} bytes bundled, ${packed.length} packed -> ${OUT}\n`);
