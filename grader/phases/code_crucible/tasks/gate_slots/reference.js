'use strict';
// The festival's entry plan: the gate and the 15-minute slot in which each booking comes in.

const OPENING = 16 * 60; // minutes after midnight
const LAST_SLOT = 22 * 60 + 45;
const SLOT_MINUTES = 15;
const CLOCK = /^[0-9]{2}:[0-9]{2}$/;

/**
 * Minutes after midnight of an "HH:MM" time, or null when it is not a real time of day.
 * @param {string} text
 * @returns {number | null}
 */
function arrivalMinutes(text) {
  // >>> TODO: read "HH:MM" (two digits each, hours 00-23, minutes 00-59); null for anything else
  if (!CLOCK.test(text)) return null;
  const hours = Number(text.slice(0, 2));
  const minutes = Number(text.slice(3));
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
  // <<<
}

/**
 * The slot a booking asks for (its start, in minutes), or null when the booking is refused.
 * @param {[string, string, number, string]} booking [id, arrival, party size, gate]
 * @param {string[]} gates
 * @returns {number | null}
 */
function askedSlot([, arrival, size, gate], gates) {
  const minutes = arrivalMinutes(arrival);
  if (minutes === null || minutes >= LAST_SLOT + SLOT_MINUTES || size < 1 || (gate && !gates.includes(gate))) {
    return null;
  }
  return Math.max(OPENING, minutes - (minutes % SLOT_MINUTES));
}

/**
 * How many people already come in through a gate in a slot.
 * @param {Map<string, number>} loads people per "gate|slot"
 * @param {string} name the gate
 * @param {number} entry the slot's start, in minutes
 * @returns {number}
 */
function peopleIn(loads, name, entry) {
  return loads.get(`${name}|${entry}`) ?? 0;
}

/**
 * The gate and slot the party comes in by: its own gate, or the best gate when it chose none.
 * @param {Map<string, number>} loads people per "gate|slot"
 * @param {string[]} gates
 * @param {[string, string, number, string]} booking
 * @param {number} slot
 * @returns {{name: string, entry: number, people: number} | null} the gate, the slot and the people already in it
 */
function chooseEntry(loads, gates, [, , size, gate], slot) {
  let best = null;
  for (const name of gate ? [gate] : gates) {
    let entry = slot;
    // >>> TODO[gate_capacity]: go on to the first slot where the whole party fits at this gate, else skip it
    const capacity = 250; // cr:param gate_capacity
    while (entry <= LAST_SLOT && peopleIn(loads, name, entry) + size > capacity) entry += SLOT_MINUTES;
    if (entry > LAST_SLOT) continue;
    // <<<
    // >>> TODO: rank the gate by its slot, then by the people already in it, then by its place in the list
    const people = peopleIn(loads, name, entry);
    if (best === null || entry < best.entry || (entry === best.entry && people < best.people)) {
      best = { name, entry, people };
    }
    // <<<
  }
  return best;
}

/**
 * Each booking's entry, "<gate> <HH:MM>", or "refused".
 * @param {Array<[string, string, number, string]>} bookings [id, arrival "HH:MM", party size, gate or ""], as sold
 * @param {string[]} gates
 * @returns {Object<string, string>}
 */
function entryPlan(bookings, gates) {
  const plan = {};
  const queue = [];
  bookings.forEach((booking, order) => {
    const slot = askedSlot(booking, gates);
    if (slot === null) plan[booking[0]] = 'refused';
    else queue.push([arrivalMinutes(booking[1]), order, slot]);
  });
  queue.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const loads = new Map();
  // >>> TODO: in order of arrival time (then of sale), give each booking its entry and count its people in
  for (const [, order, slot] of queue) {
    const booking = bookings[order];
    const chosen = chooseEntry(loads, gates, booking, slot);
    if (chosen === null) {
      plan[booking[0]] = 'refused';
      continue;
    }
    loads.set(`${chosen.name}|${chosen.entry}`, chosen.people + booking[2]);
    const [hours, minutes] = [Math.floor(chosen.entry / 60), chosen.entry % 60].map((n) => String(n).padStart(2, '0'));
    plan[booking[0]] = `${chosen.name} ${hours}:${minutes}`;
  }
  // <<<
  return plan;
}

module.exports = { entryPlan };
