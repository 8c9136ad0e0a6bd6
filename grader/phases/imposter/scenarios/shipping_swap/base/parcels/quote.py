"""A quote for the parcel desk's screen."""

from parcels.parcel import chargeable_kg
from parcels.places import distance_km
from parcels.rates import price_cents


def quote(parcel, origin, destination):
    km = distance_km(origin, destination)
    kg = chargeable_kg(parcel)
    return {"from": origin, "to": destination, "km": km, "kg": kg, "cents": price_cents(kg, km)}
