'use strict';
// Whether a plan fits Baptiste's Grill's budget.

/**
 * Whole cents, so that adding up prices never drifts.
 * @param {number} dollars
 * @returns {number}
 */
function toCents(dollars) {
  return Math.round(dollars * 100);
}

/**
 * What Tony pays for the item, in cents, or null when the plan cannot fit with it.
 * @param {object} item
 * @returns {number|null}
 */
function itemCost(item) {
  let price = toCents(item.price);
  // >>> TODO[budget_200]: refuse an item whose fee bills again (monthly or yearly, above zero)
  if (price > 0 && item.billing !== 'once') return null;
  // <<<
  // >>> TODO[existing_tablets]: refuse hardware and apps for a newer Android than 7; a per-device app is paid 4 times
  if (item.kind === 'hardware' || item.min_android > 7) return null;
  if (item.per_device) price *= 4;
  // <<<
  return price < 0 ? null : price;
}

/**
 * Whether what Tony pays for the whole plan adds up to at most the budget, to the cent.
 * @param {Array<object>} plan
 * @param {number} budget in dollars
 * @returns {boolean}
 */
function planFits(plan, budget) {
  let total = 0;
  for (const item of plan) {
    const cost = itemCost(item);
    if (cost === null) return false;
    // >>> TODO: add the item's cost to the running total
    total += cost;
    // <<<
  }
  return total <= toCents(budget);
}

module.exports = { planFits };
