'use strict';
// The tickets on the kitchen screen at Baptiste's Grill, from the website and the tablets' offline queues.

/**
 * Every [orderId, placedMinute] received, the online ones then each tablet's queue, without the entries from a
 * clock that was never set.
 * @param {Array<[number, number]>} online
 * @param {Array<Array<[number, number]>>} offlineQueues
 * @returns {Array<[number, number]>}
 */
function received(online, offlineQueues) {
  // >>> TODO: leave out the entries whose clock was never set (a negative minute)
  return [...online, ...offlineQueues.flat()].filter(([, minute]) => minute >= 0);
  // <<<
}

/**
 * The order ids on the kitchen screen: at most screenSize of them.
 * @param {Array<[number, number]>} online
 * @param {Array<Array<[number, number]>>} offlineQueues
 * @param {number} screenSize
 * @returns {number[]}
 */
function kitchenQueue(online, offlineQueues, screenSize) {
  if (screenSize <= 0) return [];
  let tickets = received(online, offlineQueues);
  // >>> TODO[offline_friday]: keep each order id once, at its earliest placed minute
  const earliest = new Map();
  for (const [orderId, minute] of tickets) {
    if (!earliest.has(orderId) || minute < earliest.get(orderId)) earliest.set(orderId, minute);
  }
  tickets = [...earliest.entries()];
  // <<<
  // >>> TODO[kitchen_order]: put the oldest first (placed in the same minute: the smaller id first)
  tickets.sort((first, second) => first[1] - second[1] || first[0] - second[0]);
  // <<<
  return tickets.slice(0, screenSize).map(([orderId]) => orderId);
}

module.exports = { kitchenQueue };
