"""What a pixel of a photo shows, as the synthetic people's label maps store it and as the fit
reads it: the body's own edge where it is skin, an outer bound of the body where it is a garment
or hair, and no part of the body where it is an accessory (a bag)."""
from __future__ import annotations

LABELS = {"background": 0, "skin": 1, "garment": 2, "hair": 3, "accessory": 4}
