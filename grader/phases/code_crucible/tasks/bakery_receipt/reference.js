'use strict';
// Plain-text receipts for Marchetti's Bakery, printed from the till without any paid service.

/**
 * Dollars with two decimals, from a whole number of cents (no floating-point rounding).
 * @param {number} cents
 * @returns {string}
 */
function formatMoney(cents) {
  // >>> TODO: split the cents into dollars and a two-digit remainder
  const dollars = Math.floor(cents / 100);
  const remainder = String(cents % 100).padStart(2, '0');
  return `${dollars}.${remainder}`;
  // <<<
}

/**
 * One line per item (same name and price), in order of first appearance; voided lines are dropped.
 * @param {Array<[string, number, number, string[]]>} items
 * @returns {Array<object>} the lines, each with its name, price and quantity
 */
function mergeLines(items) {
  const byItem = new Map();
  for (const [name, quantity, price, allergens] of items) {
    if (quantity <= 0) continue;
    // >>> TODO[allergen_labels]: add the quantity and the lower-case allergens to the line for this name and price
    // || add the quantity to the line for this name and price
    const key = JSON.stringify([name, price]);
    if (!byItem.has(key)) byItem.set(key, { name, price, quantity: 0, allergens: new Set() });
    const line = byItem.get(key);
    line.quantity += quantity;
    allergens.forEach((label) => line.allergens.add(label.toLowerCase()));
    // <<<
  }
  return [...byItem.values()];
}

/**
 * One receipt line: quantity, name, unit price and line total.
 * @param {object} line a line of the receipt, with its name, price and quantity
 * @returns {string}
 */
function formatLine(line) {
  const lineTotal = line.quantity * line.price;
  let text = `${line.quantity} x ${line.name} @ ${formatMoney(line.price)} = ${formatMoney(lineTotal)}`;
  // >>> TODO[allergen_labels]: append the allergens in brackets, alphabetically, each once
  if (line.allergens.size > 0) {
    text += ` [${[...line.allergens].sort().join(', ')}]`;
  }
  // <<<
  return text;
}

/**
 * The receipt for one sale: a line per item, then the total.
 * @param {Array<[string, number, number, string[]]>} items [name, quantity, price in cents, allergens]
 * @returns {string}
 */
function formatReceipt(items) {
  const lines = mergeLines(items);
  const grandTotal = lines.reduce((sum, line) => sum + line.quantity * line.price, 0);
  return [...lines.map(formatLine), `TOTAL ${formatMoney(grandTotal)}`].join('\n');
}

module.exports = { formatReceipt };
