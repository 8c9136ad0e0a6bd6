'use strict';
// The pickup days a customer of Marchetti's Bakery can still order for.

/**
 * Whether the order form sent a real hour of the day (0-23).
 * @param {number} hour
 * @returns {boolean}
 */
function isValidHour(hour) {
  return hour >= 0 && hour <= 23;
}

/**
 * The wanted pickup days that can still be ordered, ascending, each once.
 * @param {number} placedDay
 * @param {number} placedHour
 * @param {number[]} wantedDays
 * @param {number[]} closedDays
 * @returns {number[]}
 */
function orderableDays(placedDay, placedHour, wantedDays, closedDays) {
  if (!isValidHour(placedHour)) return [];
  // >>> TODO: keep each wanted day that comes after the order day and is not a closed day
  const closed = new Set(closedDays);
  let days = wantedDays.filter((day) => day > placedDay && !closed.has(day));
  // <<<
  // >>> TODO[order_cutoff]: drop the days too far ahead, and tomorrow once the cutoff hour has passed
  const cutoffHour = 14; // cr:param cutoff_hour
  const maxDaysAhead = 7; // cr:param max_days_ahead
  const firstDay = placedDay + (placedHour < cutoffHour ? 1 : 2);
  days = days.filter((day) => day >= firstDay && day <= placedDay + maxDaysAhead);
  // <<<
  return [...new Set(days)].sort((a, b) => a - b);
}

module.exports = { orderableDays };
