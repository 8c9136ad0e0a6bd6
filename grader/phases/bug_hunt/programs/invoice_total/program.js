'use strict';
// Invoice arithmetic for a small shop: supplier lines, discounts, VAT and the printed amount.
// Amounts are in euros and rounded to cents wherever a customer would see them.

const VAT_RATES = { standard: 0.2, reduced: 0.05, zero: 0 };

// Round to cents the way the till does.
function toCents(value) {
  return Math.round(value * 100) / 100;
}

// Read one line of the supplier's export, "bread;2;3.50", as [name, quantity, amount].
function parseLine(text) {
  const fields = text.split(';');
  const name = fields[0].trim();
  const quantity = parseInt(fields[1], 10);
  const unitPrice = Number(fields[2]);
  return [name, quantity, toCents(quantity * unitPrice)];
}

// The percentage off a line: 15 from 50 items, 10 from 10 items, nothing below that.
function bulkDiscount(quantity) {
  if (quantity >= 50) {
    return 15;
  }
  if (quantity >= 10) {
    return 10;
  }
  return 0;
}

// What one line costs after its discount, rounded to cents.
function lineAmount(quantity, unitPrice, percentOff) {
  const fullPrice = quantity * unitPrice;
  return toCents((fullPrice * (100 - percentOff)) / 100);
}

// The mean line amount of an invoice; an empty invoice averages 0.
function averageLine(amounts) {
  if (amounts.length === 0) {
    return 0;
  }
  const sum = amounts.reduce((total, amount) => total + amount, 0);
  return toCents(sum / amounts.length);
}

// The name of the most expensive [name, amount] line; the earlier line wins a tie.
function largestLine(lines) {
  if (lines.length === 0) {
    return '';
  }
  let [bestName, bestAmount] = lines[0];
  for (let index = 1; index < lines.length; index++) {
    const [name, amount] = lines[index];
    if (amount > bestAmount) {
      bestName = name;
      bestAmount = amount;
    }
  }
  return bestName;
}

// Line amounts plus VAT; an unknown rate name is charged at the standard rate.
function invoiceTotal(amounts, rateName) {
  let subtotal = 0;
  for (const amount of amounts) {
    subtotal += amount;
  }
  const rate = rateName in VAT_RATES ? VAT_RATES[rateName] : VAT_RATES.standard;
  return toCents(subtotal + subtotal * rate);
}

// Show an amount as "EUR 12.50"; a refund (a negative amount) gets a minus sign.
function formatAmount(amount, currency) {
  const cents = Math.round(Math.abs(amount) * 100);
  let text = String(Math.floor(cents / 100)) + '.' + String(cents % 100).padStart(2, '0');
  if (amount < 0) {
    text = '-' + text;
  }
  return currency + ' ' + text;
}

module.exports = { toCents, parseLine, bulkDiscount, lineAmount, averageLine, largestLine, invoiceTotal, formatAmount };
