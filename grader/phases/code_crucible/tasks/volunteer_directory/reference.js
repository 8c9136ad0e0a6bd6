'use strict';
// The volunteer directory of the Riverside Food Pantry, searchable by name.

const COLUMNS = ['name', 'phone', 'address', 'role'];

/**
 * Where each column is in the rows, from the names in the first row.
 * @param {string[]} names
 * @returns {Map<string, number>}
 */
function columnPositions(names) {
  // >>> TODO[shared_spreadsheet]: map each trimmed, lower-case column name to its position
  // || map each column name to its position
  return new Map(names.map((name, position) => [name.trim().toLowerCase(), position]));
  // <<<
}

/**
 * What the row holds in the column.
 * @param {string[]} row
 * @param {Map<string, number>} positions
 * @param {string} column
 * @returns {string}
 */
function field(row, positions, column) {
  // >>> TODO[shared_spreadsheet]: the trimmed cell, or '' when the row is too short for it (or the column is missing)
  // || what the row holds in that column
  const position = positions.get(column);
  if (position === undefined || position >= row.length) return '';
  return row[position].trim();
  // <<<
}

/**
 * One record per row that has a name, in sheet order.
 * @param {string[][]} sheet
 * @returns {Array<Object<string, string>>}
 */
function readPeople(sheet) {
  const positions = columnPositions(sheet[0]);
  return sheet
    .slice(1)
    .map((row) => Object.fromEntries(COLUMNS.map((column) => [column, field(row, positions, column)])))
    .filter((person) => person.name !== '');
}

/**
 * Plain character order of two names.
 * @param {{name: string}} first
 * @param {{name: string}} second
 * @returns {number}
 */
function byName(first, second) {
  if (first.name === second.name) return 0;
  return first.name < second.name ? -1 : 1;
}

/**
 * The directory for the viewer: the people whose name contains query (any case), sorted by name.
 * @param {string[][]} sheet
 * @param {string} viewer
 * @param {string} query
 * @returns {Array<{name: string, phone: string|null, address: string|null}>}
 */
function directoryView(sheet, viewer, query) {
  if (sheet.length === 0) return [];
  const people = readPeople(sheet);
  const needle = query.toLowerCase();
  // >>> TODO: keep the matching people, sorted by name (the same name: in sheet order), as directory entries
  const matches = people.filter((person) => person.name.toLowerCase().includes(needle)).sort(byName);
  const entries = matches.map(({ name, phone, address }) => ({ name, phone, address }));
  // <<<
  // >>> TODO[contact_privacy]: blank out (null) the phone and address of everyone the viewer may not see
  const viewerRow = people.find((person) => person.name === viewer);
  const coordinator = viewerRow !== undefined && viewerRow.role.toLowerCase() === 'coordinator';
  for (const entry of entries) {
    if (!coordinator && (viewerRow === undefined || entry.name !== viewer)) {
      entry.phone = null;
      entry.address = null;
    }
  }
  // <<<
  return entries;
}

module.exports = { directoryView };
