'use strict';
// Where the spelling app opens at each turn on the classroom tablets.

const LIST_COUNT = 30; // cr:param list_count

/**
 * Whose lists a turn counts towards.
 * @param {[number, string, number, number]} turn [tablet number, class code, child number, lists finished]
 * @returns {string}
 */
function turnOwner(turn) {
  // >>> TODO[shared_tablets]: count a turn's lists under the child (class code and number), whatever the tablet
  // || count a turn's lists under its tablet number
  return JSON.stringify([turn[1], turn[2]]);
  // <<<
}

/**
 * The spelling list the app opens at the start of each turn, in the order of the turns.
 * @param {Array<[number, string, number, number]>} turns
 * @returns {number[]}
 */
function turnLists(turns) {
  const finished = new Map();
  const opened = [];
  for (const turn of turns) {
    const owner = turnOwner(turn);
    const done = finished.get(owner) ?? 0;
    // >>> TODO: open the list after those finished so far (at most the last one), then add this turn's lists
    opened.push(Math.min(done + 1, LIST_COUNT));
    finished.set(owner, done + Math.max(turn[3], 0));
    // <<<
  }
  return opened;
}

module.exports = { turnLists };
