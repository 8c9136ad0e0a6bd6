'use strict';
// Parses one of our own base programs (trusted text on stdin) with acorn and prints its syntax tree and
// its tokens as JSON for the JavaScript injector (inject_js.py). Never given student code.
// argv[2]: a folder whose node_modules has acorn (frontend/, installed by scripts/frontend.sh).
const fs = require('fs');

const acorn = require(require.resolve('acorn', { paths: [process.argv[2]] }));
const source = fs.readFileSync(0, 'utf8');
const options = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true };
const ast = acorn.parse(source, options);
const tokens = [];
for (const token of acorn.tokenizer(source, options)) {
  tokens.push({ type: token.type.label, start: token.start, end: token.end });
}
// A regular expression or BigInt literal's value has no JSON form; the injector needs only positions.
const plain = (key, value) => (typeof value === 'bigint' || value instanceof RegExp ? String(value) : value);
process.stdout.write(JSON.stringify({ ast, tokens }, plain));
