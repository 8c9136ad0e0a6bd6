"""Parcels and the weight we charge for: the real one or the space it takes, whichever is more."""

from dataclasses import dataclass

VOLUMETRIC_DIVISOR = 5000  # cm³ per kg, the carriers' convention


@dataclass(frozen=True)
class Parcel:
    weight_kg: float
    length_cm: float
    width_cm: float
    height_cm: float

    @property
    def volumetric_kg(self):
        return self.length_cm * self.width_cm * self.height_cm / VOLUMETRIC_DIVISOR


def chargeable_kg(parcel):
    return max(parcel.weight_kg, parcel.volumetric_kg)
