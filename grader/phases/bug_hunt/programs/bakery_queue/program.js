'use strict';
// A morning at the bakery counter: tickets, orders, and how long customers wait to be served.
//
// One assistant serves customers in the order they arrive. Times are minutes since midnight.

const BASE_MINUTES = 1; // greeting the customer and taking payment
const MINUTES_PER_ITEM = 0.5; // fetching and bagging each item

// Minutes since midnight for a till time such as '08:45'.
function toMinutes(clock) {
  const [hours, minutes] = clock.split(':').map((part) => parseInt(part, 10));
  return hours * 60 + minutes;
}

// The ticket after 'A07' is 'A08'; after 'A99' the roll moves on to 'B00'.
function nextTicket(ticket) {
  let letter = ticket[0];
  let number = Number.parseInt(ticket.slice(1), 10) + 1;
  if (number > 99) {
    letter = String.fromCharCode(letter.charCodeAt(0) + 1);
    number = 0;
  }
  return `${letter}${String(number).padStart(2, '0')}`;
}

// Number of items in an order written like '2 sourdough, 1 rye, 6 croissant'.
function itemsInOrder(order) {
  let total = 0;
  for (const part of order.split(',')) {
    if (part.trim() === '') {
      continue;
    }
    const quantity = part.trim().split(' ')[0];
    total += Number(quantity);
  }
  return total;
}

// Minutes each customer waits before being served; customers are [name, arrival, items].
function waitingTimes(customers) {
  let clock = 0;
  const waits = [];
  const byArrival = [...customers].sort((a, b) => a[1] - b[1]);
  for (const [name, arrival, items] of byArrival) {
    const start = Math.max(clock, arrival);
    waits.push([name, start - arrival]);
    clock = start + BASE_MINUTES + MINUTES_PER_ITEM * items;
  }
  return waits;
}

// Mean wait in minutes over [name, minutes] pairs, to two decimal places.
function averageWait(waits) {
  if (!waits.length) {
    return 0;
  }
  const total = waits.reduce((sum, [, minutes]) => sum + minutes, 0);
  return Math.round((100 * total) / waits.length) / 100;
}

// Name of the customer who waited longest; the one served first wins a tie. null if nobody came.
function longestWait(waits) {
  if (!waits.length) {
    return null;
  }
  let best = waits[0];
  for (const entry of waits.slice(1)) {
    if (entry[1] > best[1]) {
      best = entry;
    }
  }
  return best[0];
}

// How many customers are queueing at `minute`: arrived but not yet served.
// `schedule` rows are [name, arrival, start of service].
function queueLength(schedule, minute) {
  let count = 0;
  for (const [, arrival, start] of schedule) {
    if (arrival <= minute && minute < start) {
      count += 1;
    }
  }
  return count;
}

// Shelf-label price for a whole number of pence: 250 -> '£2.50'.
function priceLabel(pence) {
  return '£' + Math.floor(pence / 100) + '.' + String(pence % 100).padStart(2, '0');
}

if (require.main === module) {
  const customers = [['Ana', toMinutes('08:00'), itemsInOrder('2 sourdough, 1 rye')], ['Ben', 481, 6]];
  const waits = waitingTimes(customers);
  console.log(waits, averageWait(waits), longestWait(waits), nextTicket('A99'), priceLabel(250));
}

module.exports = {
  toMinutes, nextTicket, itemsInOrder, waitingTimes, averageWait, longestWait, queueLength, priceLabel,
};
