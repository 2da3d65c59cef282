"""A long-sleeved shirt with a band collar: the t-shirt's drop-shoulder body and sleeves, longer
sleeves narrowing to the cuff, and a collar band sewn round the neckline.

The collar is one rectangle whose lower edge is the left front neckline's length, the back's and
the right front's, its two ends sewn together at the centre front, so its seams match by
construction.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam
from neural.garments.size_charts import chart_row
from neural.garments.tshirt import neckline_edges, top_panels

SIZE_CHART = "shirt_sizes.yaml"


def shirt_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "shirt")
    panels, seams = top_panels(m)
    collar, collar_seams = band_collar(panels, m["collar_height"], closed=True)
    return Pattern("shirt", size, [*panels, collar], seams + collar_seams, m)


def band_collar(panels: list[Panel], height_cm: float, closed: bool) -> tuple[Panel, list[Seam]]:
    """A band round the neckline of these top panels (a front, or fronts ``front.L`` and
    ``front.R``, and a back), seen from outside: its lower edge runs from the centre front round
    the wearer's left, the back and the right, back to the centre front, where its two ends are
    sewn together when ``closed``."""
    edges, seams, x = neckline_edges(panels, "collar")
    edges += [Edge("end_b", np.array([[x, 0.0], [x, height_cm]])),
              Edge("top", np.array([[x, height_cm], [0.0, height_cm]])),
              Edge("end_a", np.array([[0.0, height_cm], [0.0, 0.0]]))]
    if closed:
        seams.append(Seam(("collar", "end_a"), ("collar", "end_b")))
    return Panel("collar", "collar", edges), seams
