'use strict';
// Whether a volunteer may sign up for a shift.

/**
 * Hours within 0-24 and an end after the start.
 * @param {number[]} shift [day, startHour, endHour]
 * @returns {boolean}
 */
function isValidShift([, start, end]) {
  return start >= 0 && start < end && end <= 24;
}

/**
 * Whether two shifts share time on the same day (one ending as the other starts does not count).
 * @param {number[]} first
 * @param {number[]} second
 * @returns {boolean}
 */
function overlaps(first, second) {
  // >>> TODO: the same day, and each one starts before the other ends
  return first[0] === second[0] && first[1] < second[2] && second[1] < first[2];
  // <<<
}

/**
 * Whether the volunteer may take the shift, given the shifts they already have.
 * @param {number} age
 * @param {number[][]} booked [day, startHour, endHour] each, possibly listed twice
 * @param {number[]} shift
 * @returns {boolean}
 */
function canTakeShift(age, booked, shift) {
  if (!isValidShift(shift)) return false;
  const distinct = [...new Map(booked.map((other) => [other.join(','), other])).values()];
  if (distinct.some((other) => overlaps(other, shift))) return false;
  // >>> TODO[shift_rules]: count this week's shifts against the weekly limit, then the late-shift rule for minors
  // || the shift is free: say whether they may take it
  const maxShifts = 2; // cr:param max_shifts
  const latestEnd = 20; // cr:param latest_end
  const weekOf = (day) => Math.floor((day - 1) / 7); // week 0 holds days 1-7, week 1 days 8-14, ...
  const shiftsThisWeek = distinct.filter((other) => weekOf(other[0]) === weekOf(shift[0])).length;
  if (shiftsThisWeek >= maxShifts) return false;
  return age >= 18 || shift[2] <= latestEnd;
  // <<<
}

module.exports = { canTakeShift };
