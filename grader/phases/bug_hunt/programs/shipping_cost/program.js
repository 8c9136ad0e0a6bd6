'use strict';
// Price parcels for a small web shop's courier: weight, destination zone, surcharges and cover.
//
// Prices are in pence. The courier charges by the greater of a parcel's real and volumetric weight.

const ZONES = {
  UK: { base: 320, perKg: 90 },
  EU: { base: 750, perKg: 210 },
  WORLD: { base: 1200, perKg: 480 },
};
const VOLUMETRIC_DIVISOR = 5000; // cubic centimetres per kilogram, the courier's figure
const OVERSIZE_CM = 120;
const REMOTE_PREFIXES = ['HS', 'IV', 'KW', 'ZE', 'BT']; // Highlands, islands and Northern Ireland
const FREE_COVER = 10000; // pence of declared value insured at no charge

// Combined weight in grams of parcels whose scale labels read like '2.5kg' or '750g'.
function totalGrams(labels) {
  let total = 0;
  for (const label of labels) {
    const text = label.trim().toLowerCase();
    if (text.endsWith('kg')) {
      total += Math.round(Number.parseFloat(text.slice(0, -2)) * 1000);
    } else {
      total += parseInt(text.slice(0, -1), 10);
    }
  }
  return total;
}

// Volumetric weight of a box given as 'LxWxH' in centimetres, to two decimals.
function volumetricKg(dimensions) {
  const [length, width, height] = dimensions.toLowerCase().split('x').map(Number);
  return Math.round((100 * length * width * height) / VOLUMETRIC_DIVISOR) / 100;
}

// Price to send `kg` chargeable kilograms to a zone; the first kilogram is in the base price.
// Destinations the courier has no zone for are charged as WORLD.
function zonePrice(zone, kg) {
  const rates = zone in ZONES ? ZONES[zone] : ZONES.WORLD;
  const extraKg = Math.max(0, kg - 1);
  return Math.round(rates.base + rates.perKg * extraKg);
}

// Extra charges that apply to a parcel, by name; `sides` are its three sides in centimetres.
function surcharges(parcel) {
  const extras = {};
  if (Math.max(...parcel.sides) > OVERSIZE_CM) {
    extras.oversize = 1500;
  }
  const postcode = (parcel.postcode || '').toUpperCase();
  if (REMOTE_PREFIXES.some((prefix) => postcode.startsWith(prefix))) {
    extras.remote = 450;
  }
  if (parcel.fragile) {
    extras.fragile = 200;
  }
  return extras;
}

// Cover above the free £100 costs 2% of the excess, at least 150p; nothing at or below £100.
function insuranceFee(declaredPence) {
  const excess = declaredPence - FREE_COVER;
  const fee = Math.max(150, Math.ceil((excess * 2) / 100));
  return excess > 0 ? fee : 0;
}

// Name of the cheapest [service, pence] quote; the first listed wins a tie. null without quotes.
function cheapestService(quotes) {
  if (!quotes.length) {
    return null;
  }
  let best = quotes[0];
  for (const quote of quotes.slice(1)) {
    if (quote[1] < best[1]) {
      best = quote;
    }
  }
  return best[0];
}

// One line of the checkout's delivery options, e.g. 'Tracked: £4.55, 2 working days'.
function quoteLine(service, pence, days) {
  const price = '£' + Math.floor(pence / 100) + '.' + String(pence % 100).padStart(2, '0');
  const unit = days === 1 ? 'working day' : 'working days';
  return service + ': ' + price + ', ' + days + ' ' + unit;
}

if (require.main === module) {
  const kg = Math.max(totalGrams(['2.5kg', '750g']) / 1000, volumetricKg('40x30x20'));
  const parcel = { sides: [40, 30, 20], postcode: 'IV27 4AB' };
  const pence = zonePrice('UK', kg) + Object.values(surcharges(parcel)).reduce((a, b) => a + b, 0) +
    insuranceFee(25000);
  console.log(quoteLine(cheapestService([['Tracked', pence], ['Economy', pence - 150]]), pence - 150, 4));
}

module.exports = { totalGrams, volumetricKg, zonePrice, surcharges, insuranceFee, cheapestService, quoteLine };
