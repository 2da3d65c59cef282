"""An unlined open-front jacket: the drop-shoulder top with its front split into two panels that
overlap at the centre, long sleeves and a band collar open at the front; cut to be worn over a
shirt (``tryon drape --over``)."""
from __future__ import annotations

from neural.garments.pattern import Pattern
from neural.garments.shirt import band_collar
from neural.garments.size_charts import chart_row
from neural.garments.tshirt import top_panels

SIZE_CHART = "jacket_sizes.yaml"


def jacket_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "jacket")
    panels, seams = top_panels(m, opening_cm=m["overlap"])
    collar, collar_seams = band_collar(panels, m["collar_height"], closed=False)
    return Pattern("jacket", size, [*panels, collar], seams + collar_seams, m)
