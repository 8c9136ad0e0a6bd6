'use strict';
// Double-booked meeting rooms: every pair of bookings that clash.

const TIME_PATTERN = /^([0-9]{2}):([0-9]{2})$/;
const MINUTES_PER_DAY = 24 * 60;

/**
 * Minutes since midnight for a valid "HH:MM" from 00:00 to 24:00, otherwise null.
 * @param {string} text
 * @returns {number|null}
 */
function toMinutes(text) {
  // >>> TODO: parse two-digit hours and minutes and reject impossible times
  const match = TIME_PATTERN.exec(text);
  if (match === null) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const total = hours * 60 + minutes;
  return minutes < 60 && total <= MINUTES_PER_DAY ? total : null;
  // <<<
}

/**
 * The valid bookings as [start, end, bookingId], grouped by room.
 * @param {Array<[number, string, string, string]>} bookings
 * @returns {Map<string, Array<[number, number, number]>>}
 */
function bookingsByRoom(bookings) {
  const rooms = new Map();
  for (const [bookingId, room, startText, endText] of bookings) {
    const start = toMinutes(startText);
    const end = toMinutes(endText);
    if (start === null || end === null || start >= end) continue;
    if (!rooms.has(room)) rooms.set(room, []);
    rooms.get(room).push([start, end, bookingId]);
  }
  return rooms;
}

/**
 * Compares two number arrays element by element.
 * @param {number[]} first
 * @param {number[]} second
 * @returns {number}
 */
function byNumbers(first, second) {
  for (let i = 0; i < first.length; i += 1) {
    if (first[i] !== second[i]) return first[i] - second[i];
  }
  return 0;
}

/**
 * The overlapping pairs in one room, by a sweep over the meetings in order of start time.
 * @param {Array<[number, number, number]>} meetings [start, end, bookingId]
 * @returns {Array<[number, number]>}
 */
function roomClashes(meetings) {
  const clashes = [];
  let ongoing = []; // [end, bookingId] of the meetings that have not ended yet
  // >>> TODO: sweep by start time; each meeting clashes with every earlier one that has not ended
  for (const [start, end, bookingId] of [...meetings].sort(byNumbers)) {
    ongoing = ongoing.filter(([otherEnd]) => otherEnd > start);
    for (const [, otherId] of ongoing) {
      clashes.push([Math.min(otherId, bookingId), Math.max(otherId, bookingId)]);
    }
    ongoing.push([end, bookingId]);
  }
  // <<<
  return clashes;
}

/**
 * Every clashing pair as [smallerId, largerId], sorted.
 * @param {Array<[number, string, string, string]>} bookings [bookingId, room, "HH:MM", "HH:MM"]
 * @returns {Array<[number, number]>}
 */
function findClashes(bookings) {
  const pairs = [];
  for (const meetings of bookingsByRoom(bookings).values()) {
    for (const pair of roomClashes(meetings)) pairs.push(pair);
  }
  return pairs.sort(byNumbers);
}

module.exports = { findClashes };
