'use strict';
// A notice for the tenants, filled in from the landlord's templates.

const BLANK = /\{([A-Z0-9_]+)\}/g;

/**
 * The template with every {NAME} that has a value replaced by it, in one pass.
 * @param {string} template
 * @param {Object<string, string>} values
 * @returns {string}
 */
function fillBlanks(template, values) {
  // >>> TODO: replace every {NAME} that has a value; leave the others as written
  return template.replace(BLANK, (whole, name) => (Object.hasOwn(values, name) ? values[name] : whole));
  // <<<
}

/**
 * Each language's template, trimmed, by lower-case code: blank ones do not count, the first one wins.
 * @param {Object<string, string>} templates
 * @returns {Map<string, string>}
 */
function textsByLanguage(templates) {
  const texts = new Map();
  // >>> TODO: keep the first non-blank template of each lower-case language code, trimmed
  for (const [code, text] of Object.entries(templates)) {
    const key = code.toLowerCase();
    if (text.trim() && !texts.has(key)) texts.set(key, text.trim());
  }
  // <<<
  return texts;
}

/**
 * The notice to send: one block per language, "[CODE] text", one block per line.
 * @param {Object<string, string>} templates language code -> template
 * @param {Object<string, string>} values blank name -> value
 * @returns {string}
 */
function tenantNotice(templates, values) {
  const texts = textsByLanguage(templates);
  // >>> TODO[three_languages]: English, Spanish then Polish, the English text standing in for a missing one
  // || put every language and its text into blocks, in alphabetical order of the code
  const english = texts.get('en') ?? '';
  const blocks = ['en', 'es', 'pl'].map((code) => [code, texts.get(code) ?? english]);
  // <<<
  return blocks
    .filter(([, text]) => text)
    .map(([code, text]) => `[${code.toUpperCase()}] ${fillBlanks(text, values)}`)
    .join('\n');
}

module.exports = { tenantNotice };
