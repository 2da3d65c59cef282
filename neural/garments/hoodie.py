"""A pullover hoodie: the drop-shoulder top with long sleeves, and a hood sewn round the neckline.

The hood is one panel: its lower edge is the left front neckline's length, the back's and the
right front's (so those seams match by construction), it widens to ``hood_width`` at the crown,
where its two halves are sewn together, and its slanted sides are the face opening, which meets
at the centre front.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam
from neural.garments.size_charts import chart_row
from neural.garments.tshirt import top_panels

SIZE_CHART = "hoodie_sizes.yaml"


def hoodie_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "hoodie")
    panels, seams = top_panels(m)
    named = {p.name: p for p in panels}
    necks = [("neck_left", "front", "neckline.L"), ("neck_back", "back", "neckline"),
             ("neck_right", "front", "neckline.R")]
    edges, x = [], 0.0
    for name, panel, edge in necks:
        length = named[panel].edge(edge).length
        edges.append(Edge(name, np.array([[x, 0.0], [x + length, 0.0]])))
        seams.append(Seam(("hood", name), (panel, edge)))
        x += length
    middle, half_top, height = x / 2, m["hood_width"] / 4, m["hood_height"]
    edges += [
        Edge("face_b", np.array([[x, 0.0], [middle + half_top * 2, height]])),
        Edge("crown_b", np.array([[middle + half_top * 2, height], [middle, height]])),
        Edge("crown_a", np.array([[middle, height], [middle - half_top * 2, height]])),
        Edge("face_a", np.array([[middle - half_top * 2, height], [0.0, 0.0]])),
    ]
    seams.append(Seam(("hood", "crown_a"), ("hood", "crown_b")))
    return Pattern("hoodie", size, [*panels, Panel("hood", "hood", edges)], seams, m)
