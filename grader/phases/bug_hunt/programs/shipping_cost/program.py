"""Price parcels for a small web shop's courier: weight, destination zone, surcharges and cover.

Prices are in pence. The courier charges by the greater of a parcel's real and volumetric weight.
"""

import math

ZONES = {
    "UK": {"base": 320, "per_kg": 90},
    "EU": {"base": 750, "per_kg": 210},
    "WORLD": {"base": 1200, "per_kg": 480},
}
VOLUMETRIC_DIVISOR = 5000  # cubic centimetres per kilogram, the courier's figure
OVERSIZE_CM = 120
REMOTE_PREFIXES = ("HS", "IV", "KW", "ZE", "BT")  # Highlands, islands and Northern Ireland
FREE_COVER = 10000  # pence of declared value insured at no charge


def total_grams(labels):
    """Combined weight in grams of parcels whose scale labels read like '2.5kg' or '750g'."""
    total = 0
    for label in labels:
        text = label.strip().lower()
        if text.endswith("kg"):
            total += round(float(text[:-2]) * 1000)
        else:
            total += int(text[:-1])
    return total


def volumetric_kg(dimensions):
    """Volumetric weight of a box given as 'LxWxH' in centimetres, to two decimals."""
    length, width, height = (float(side) for side in dimensions.lower().split("x"))
    return round(length * width * height / VOLUMETRIC_DIVISOR, 2)


def zone_price(zone, kg):
    """Price to send `kg` chargeable kilograms to a zone; the first kilogram is in the base price.

    Destinations the courier has no zone for are charged as WORLD.
    """
    rates = ZONES.get(zone, ZONES["WORLD"])
    extra_kg = max(0, kg - 1)
    return round(rates["base"] + rates["per_kg"] * extra_kg)


def surcharges(parcel):
    """Extra charges that apply to a parcel, by name; `sides` are its three sides in centimetres."""
    extras = {}
    if max(parcel["sides"]) > OVERSIZE_CM:
        extras["oversize"] = 1500
    if parcel.get("postcode", "").upper().startswith(REMOTE_PREFIXES):
        extras["remote"] = 450
    if parcel.get("fragile", False):
        extras["fragile"] = 200
    return extras


def insurance_fee(declared_pence):
    """Cover above the free £100 costs 2% of the excess, at least 150p; nothing at or below £100."""
    excess = declared_pence - FREE_COVER
    fee = max(150, math.ceil(excess * 2 / 100))
    return fee if excess > 0 else 0


def cheapest_service(quotes):
    """Name of the cheapest [service, pence] quote; the first listed wins a tie. None without quotes."""
    if not quotes:
        return None
    best = quotes[0]
    for quote in quotes[1:]:
        if quote[1] < best[1]:
            best = quote
    return best[0]


def quote_line(service, pence, days):
    """One line of the checkout's delivery options, e.g. 'Tracked: £4.55, 2 working days'."""
    price = "£" + str(pence // 100) + "." + str(pence % 100).zfill(2)
    unit = "working day" if days == 1 else "working days"
    return service + ": " + price + ", " + str(days) + " " + unit


if __name__ == "__main__":
    kg = max(total_grams(["2.5kg", "750g"]) / 1000, volumetric_kg("40x30x20"))
    parcel = {"sides": [40, 30, 20], "postcode": "IV27 4AB"}
    pence = zone_price("UK", kg) + sum(surcharges(parcel).values()) + insurance_fee(25000)
    print(quote_line(cheapest_service([["Tracked", pence], ["Economy", pence - 150]]), pence - 150, 4))
