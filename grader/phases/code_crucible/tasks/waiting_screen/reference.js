'use strict';
// The lines of the waiting-room screen: who is called now, who comes next, and the notice typed for it.

const NEXT_COUNT = 3; // cr:param next_count

/**
 * The ticket called last, among the tickets that checked in.
 * @param {number[]} called
 * @param {number[]} checkedIn
 * @returns {string}
 */
function nowLine(called, checkedIn) {
  // >>> TODO: find the last called ticket that checked in ("NOW -" when there is none)
  const known = new Set(checkedIn);
  const last = called.findLast((ticket) => known.has(ticket));
  // <<<
  return last === undefined ? 'NOW -' : `NOW ${last}`;
}

/**
 * The next people waiting: checked in and never called, in the order they arrived.
 * @param {number[]} called
 * @param {number[]} checkedIn
 * @returns {string}
 */
function nextLine(called, checkedIn) {
  // >>> TODO: keep the first tickets that were never called
  const done = new Set(called);
  const waiting = checkedIn.filter((ticket) => !done.has(ticket)).slice(0, NEXT_COUNT);
  // <<<
  return waiting.length > 0 ? `NEXT ${waiting.join(' ')}` : 'NEXT -';
}

// >>> TODO[no_names_on_screen]: write hideNames(words, patients): initials and ticket wherever a name was
const TRAILING_MARKS = /[,.!?:;]+$/;

/**
 * Each full name and each first name (lower case, words one space apart) with the initials and ticket of the first
 * patient to check in with it; a full name wins over someone else's first name.
 * @param {[number, string][]} patients
 * @returns {Map<string, string>}
 */
function nameLabels(patients) {
  const people = patients
    .map(([ticket, fullName]) => [ticket, fullName.split(/\s+/).filter(Boolean)])
    .filter(([, words]) => words.length > 0);
  const labels = new Map();
  for (const [ticket, words] of people) {
    const key = words.join(' ').toLowerCase();
    const initials = words.map((word) => `${[...word][0].toUpperCase()}.`).join('');
    if (!labels.has(key)) labels.set(key, `${initials} ${ticket}`);
  }
  for (const [, words] of people) {
    const first = words[0].toLowerCase();
    if (!labels.has(first)) labels.set(first, labels.get(words.join(' ').toLowerCase()));
  }
  return labels;
}

/**
 * How many words the longest name starting at `position` takes, and their replacement; null when none does.
 * @param {string[]} words
 * @param {number} position
 * @param {Map<string, string>} labels
 * @param {number} longest
 * @returns {[number, string] | null}
 */
function labelAt(words, position, labels, longest) {
  for (let size = Math.min(longest, words.length - position); size > 0; size -= 1) {
    const last = words[position + size - 1];
    const bare = last.replace(TRAILING_MARKS, '');
    const key = [...words.slice(position, position + size - 1), bare].join(' ').toLowerCase();
    if (bare && labels.has(key)) return [size, labels.get(key) + last.slice(bare.length)];
  }
  return null;
}

/**
 * The notice's words with every patient's name replaced by their initials and ticket.
 * @param {string[]} words
 * @param {[number, string][]} patients
 * @returns {string[]}
 */
function hideNames(words, patients) {
  const labels = nameLabels(patients);
  const longest = Math.max(0, ...[...labels.keys()].map((name) => name.split(' ').length));
  const out = [];
  let position = 0;
  while (position < words.length) {
    const [size, text] = labelAt(words, position, labels, longest) ?? [1, words[position]];
    out.push(text);
    position += size;
  }
  return out;
}
// <<<

/**
 * The screen's lines: who is called now, who comes next, then the notice unless it is blank.
 * @param {Array<[number, string]>} patients [ticket, full name], in the order they arrived
 * @param {number[]} called the tickets called, in order
 * @param {string} notice
 * @returns {string[]}
 */
function waitingScreen(patients, called, notice) {
  const checkedIn = [...new Set(patients.map(([ticket]) => ticket))];
  const lines = [nowLine(called, checkedIn), nextLine(called, checkedIn)];
  let words = notice.split(/\s+/).filter(Boolean);
  // >>> TODO[no_names_on_screen]: swap every patient's name in the notice for their initials and ticket
  words = hideNames(words, patients);
  // <<<
  if (words.length > 0) lines.push(words.join(' '));
  return lines;
}

module.exports = { waitingScreen };
