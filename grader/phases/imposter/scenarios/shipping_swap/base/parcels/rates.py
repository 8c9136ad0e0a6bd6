"""What a parcel costs to send: a base fee, so much per kilogram, and a surcharge by distance band."""

import math

BASE_CENTS = 450
PER_KG_CENTS = 120
BANDS = ((100, 0), (500, 300), (1500, 800))  # (up to so many km, surcharge in cents)
LONG_HAUL_CENTS = 1500


def distance_surcharge(distance_km):
    """The surcharge of the first band the distance fits in; long haul beyond the last."""
    for limit, cents in BANDS:
        if distance_km <= limit:
            return cents
    return LONG_HAUL_CENTS


def price_cents(weight_kg, distance_km):
    """The price of ``weight_kg`` over ``distance_km``; the weight rounds up to the next whole kilogram."""
    kilos = math.ceil(weight_kg)
    return BASE_CENTS + kilos * PER_KG_CENTS + distance_surcharge(distance_km)
