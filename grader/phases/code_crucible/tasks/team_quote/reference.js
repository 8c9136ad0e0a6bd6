'use strict';
// Checkout quotes for Tallyo's teams.

const BILLINGS = ['monthly', 'annual'];

/**
 * The number of different people among the pasted emails: trimmed, any case, blanks ignored.
 * @param {string[]} members
 * @returns {number}
 */
function countSeats(members) {
  // >>> TODO: count the distinct non-blank emails, ignoring case and surrounding spaces
  const emails = new Set(members.map((email) => email.trim().toLowerCase()));
  emails.delete('');
  return emails.size;
  // <<<
}

/**
 * The price per month in cents, for this many seats on this billing.
 * @param {number} seats
 * @param {string} billing
 * @returns {number}
 */
function monthlyCents(seats, billing) {
  // >>> TODO[seat_price]: price the seats at the seat price || work out the price per month, in cents
  let price = seats * 1200; // cr:param seat_price_cents
  // <<<
  // >>> TODO[annual_discount]: take the annual discount off when the team qualifies
  if (billing === 'annual' && seats >= 5) {
    price = Math.floor((price * (100 - 15)) / 100); // cr:param discount_percent
  }
  // <<<
  return price;
}

/**
 * The checkout quote, or "invalid".
 * @param {string[]} members the pasted emails
 * @param {string} billing "monthly" or "annual"
 * @returns {{seats: number, per_month: number, due_today: number}|string}
 */
function teamQuote(members, billing) {
  const seats = countSeats(members);
  if (seats === 0 || !BILLINGS.includes(billing)) return 'invalid';
  // >>> TODO[seat_cap]: send teams above the self-serve limit to sales
  if (seats > 50) return 'contact sales'; // cr:param seat_cap
  // <<<
  const perMonth = monthlyCents(seats, billing);
  const monthsDue = billing === 'annual' ? 12 : 1;
  return { seats, per_month: perMonth / 100, due_today: (perMonth * monthsDue) / 100 };
}

module.exports = { teamQuote };
