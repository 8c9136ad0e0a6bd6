'use strict';
// Tallyo's monthly invoice, billed on the team's peak number of seats.

const PLANS = ['monthly', 'annual'];

/**
 * Adds or removes one person; adding a member or removing a stranger changes nothing.
 * @param {Set<string>} team
 * @param {string} action
 * @param {string} email
 */
function applyEvent(team, action, email) {
  if (action === 'add') team.add(email);
  else if (action === 'remove') team.delete(email);
}

/**
 * The most people on the team at any moment; events of the same day apply in the order listed.
 * @param {Array<[number, string, string]>} events
 * @returns {number}
 */
function peakSeats(events) {
  const team = new Set();
  let peak = 0;
  // >>> TODO: replay the events by day (keeping the listed order within a day) and track the largest team
  const byDay = [...events].sort((first, second) => first[0] - second[0]);
  for (const [, action, email] of byDay) {
    applyEvent(team, action, email.trim().toLowerCase());
    peak = Math.max(peak, team.size);
  }
  // <<<
  return peak;
}

/**
 * What the month costs in cents, for the team's peak on this plan.
 * @param {number} peak
 * @param {string} plan
 * @returns {number}
 */
function invoiceCents(peak, plan) {
  // >>> TODO[seat_price]: bill whole seats at the seat price, and at least one seat
  // || work out what the month costs, in cents
  let amount = Math.max(peak, 1) * 1200; // cr:param seat_price_cents
  // <<<
  // >>> TODO[annual_discount]: take the discount off annual plans of five seats or more
  if (plan === 'annual' && peak >= 5) {
    amount = Math.floor((amount * (100 - 15)) / 100); // cr:param discount_percent
  }
  // <<<
  return amount;
}

/**
 * The month's invoice, or "invalid" for a plan that is neither monthly nor annual.
 * @param {Array<[number, string, string]>} events [day, "add" or "remove", email]
 * @param {string} plan "monthly" or "annual"
 * @returns {{peak_seats: number, amount: number}|string}
 */
function monthlyInvoice(events, plan) {
  if (!PLANS.includes(plan)) return 'invalid';
  const peak = peakSeats(events);
  // >>> TODO[seat_cap]: send a team that outgrew self-serve to sales
  if (peak > 50) return 'contact sales'; // cr:param seat_cap
  // <<<
  return { peak_seats: peak, amount: invoiceCents(peak, plan) / 100 };
}

module.exports = { monthlyInvoice };
