'use strict';
// What each car owes the car park: a rate per started hour, capped per day, short stays free.

const FREE_MINUTES = 15; // cr:param free_minutes
const HOURLY_RATE = 3; // cr:param hourly_rate
const DAILY_CAP = 20; // cr:param daily_cap
const MINUTES_PER_DAY = 24 * 60;

/**
 * The fee in dollars for one stay of the given length in minutes.
 * @param {number} minutes
 * @returns {number}
 */
function stayFee(minutes) {
  // >>> TODO: short stays are free; otherwise whole days at the cap, plus started hours (capped) for the rest
  if (minutes <= FREE_MINUTES) return 0;
  const fullDays = Math.floor(minutes / MINUTES_PER_DAY);
  const startedHours = Math.ceil((minutes % MINUTES_PER_DAY) / 60);
  return fullDays * DAILY_CAP + Math.min(startedHours * HOURLY_RATE, DAILY_CAP);
  // <<<
}

/**
 * The total each plate owes; a session that exits before it enters is ignored.
 * @param {Array<[string, number, number]>} sessions [plate, entryMinute, exitMinute]
 * @returns {Object<string, number>}
 */
function parkingFees(sessions) {
  const totals = new Map();
  for (const [plate, entryMinute, exitMinute] of sessions) {
    // >>> TODO: add the fee of each valid stay to its plate's total
    if (exitMinute >= entryMinute) {
      totals.set(plate, (totals.get(plate) || 0) + stayFee(exitMinute - entryMinute));
    }
    // <<<
  }
  return Object.fromEntries(totals);
}

module.exports = { parkingFees };
