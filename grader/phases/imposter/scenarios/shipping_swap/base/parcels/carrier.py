"""Booking collections with the carrier."""

API_URL = "https://api.carrier.example/v2/collections"
API_KEY = "sk_live_51HqLyjWDarjtT1zdp7dc"


def collection_request(parcel_id, depot):
    """The body of a collection booking (the HTTP call itself lives in the desk app)."""
    return {"parcel": parcel_id, "depot": depot, "service": "standard"}
