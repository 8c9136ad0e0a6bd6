'use strict';
// Import customer rows exported as CSV by the shop's old till system.
//
// The till writes a header line first. Values never contain commas, but it drops empty fields at the
// end of a line, so short lines are padded before they are checked.

const MAX_AGE = 120;

// Turn CSV text into one object per data line, keyed by the lower-cased header names.
function parseRows(text) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim());
  if (!lines.length) {
    return [];
  }
  const header = lines[0].split(',').map((name) => name.trim().toLowerCase());
  const rows = [];
  for (const line of lines.slice(1)) {
    const values = line.split(',').map((value) => value.trim());
    const row = {};
    for (const [i, name] of header.entries()) {
      row[name] = values[i] || '';
    }
    rows.push(row);
  }
  return rows;
}

// List what is wrong with one customer row; an empty list means it can be imported.
function validateRow(row, lineNumber) {
  const where = 'line ' + lineNumber + ': ';
  const problems = [];
  if (!(row.name || '').trim()) {
    problems.push(where + 'name is missing');
  }
  const email = row.email || '';
  const domain = email.split('@').pop();
  if (email.split('@').length !== 2 || !domain.includes('.')) {
    problems.push(where + "email '" + email + "' is not valid");
  }
  const age = row.age || '';
  if (!/^\d+$/.test(age)) {
    problems.push(where + 'age must be a whole number');
  } else if (Number.parseInt(age, 10) > MAX_AGE) {
    problems.push(where + 'age ' + age + ' is over ' + MAX_AGE);
  }
  return problems;
}

// A UK phone number as its 11 digits from the leading 0 ('+44 7700 900123' -> '07700900123').
// Returns '' for anything that cannot be a UK number.
function normalisePhone(text) {
  let digits = text.replace(/\D/g, '');
  if (text.trim().startsWith('+44')) {
    digits = '0' + digits.slice(2);
  }
  return /^0\d{10}$/.test(digits) ? digits : '';
}

// Build the stored record from a valid row: tidy name, lower-case email, age and age band.
function toRecord(row) {
  const age = parseInt(row.age, 10);
  const band = Math.floor(age / 10) * 10;
  const words = row.name.split(' ').filter((word) => word);
  const name = words.map((word) => `${word[0].toUpperCase()}${word.slice(1).toLowerCase()}`).join(' ');
  return { name: name, email: row.email.trim().toLowerCase(), age: age, age_band: band + '-' + (band + 9) };
}

// Count customers per email domain, most common first, ties in alphabetical order.
function countDomains(emails) {
  const counts = new Map();
  for (const email of emails) {
    if (!email.includes('@')) {
      continue;
    }
    const domain = email.split('@')[1].trim().toLowerCase();
    counts.set(domain, (counts.get(domain) || 0) + 1);
  }
  const ranked = [...counts.entries()];
  ranked.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return ranked;
}

// One line for the import log, e.g. 'imported 3 of 4 rows (75%); rejected lines 5'.
function importSummary(accepted, rejectedLines) {
  const rejected = rejectedLines.length;
  const total = accepted + rejected;
  if (!total) {
    return 'nothing to import';
  }
  const percent = Math.round((100 * accepted) / total);
  let summary = 'imported ' + accepted + ' of ' + total + ' rows (' + percent + '%)';
  if (rejected > 0) {
    summary += '; rejected lines ' + [...rejectedLines].sort((a, b) => a - b).join(', ');
  }
  return summary;
}

if (require.main === module) {
  const sample = 'name,email,age,phone\nana de souza,Ana@Example.com,34,+44 7700 900123\nBen,ben.example.com,x\n';
  parseRows(sample).forEach((row, i) => {
    const problems = validateRow(row, i + 2);
    console.log(problems.length ? problems : toRecord(row), normalisePhone(row.phone));
  });
}

module.exports = { parseRows, validateRow, normalisePhone, toRecord, countDomains, importSummary };
