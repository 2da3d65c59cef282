"""A drop-shoulder T-shirt: front, back and two sleeves, graded from a size chart.

The armhole is a straight vertical edge on the body panels and the sleeve cap a straight
edge of twice its length, so every seam pairs two edges of equal length by construction.
"""
from __future__ import annotations

import numpy as np

from neural.garments.pattern import Edge, Panel, Pattern, Seam, mirrored
from neural.garments.size_charts import chart_row, load_chart

SIZE_CHART = "tshirt_sizes.yaml"
HEM_BAND_CM = 6.0  # a ribbed hem band's height, where a chart gives ``hem_width``
HEM_TAPER_CM = 8.0  # over which the side seam narrows from ``width`` to ``hem_width``


def size_chart() -> dict[str, dict[str, float]]:
    """Size name -> garment measurements (cm), from the chart kept as data in the repo."""
    return load_chart(SIZE_CHART)


def tshirt_pattern(size: str) -> Pattern:
    """The pattern for one size (XS..XXL)."""
    m = chart_row(SIZE_CHART, size, "tshirt")
    panels, seams = top_panels(m)
    return Pattern("tshirt", size, panels, seams, m)


def top_panels(m: dict[str, float], opening_cm: float | None = None
               ) -> tuple[list[Panel], list[Seam]]:
    """Front, back and two sleeves of a drop-shoulder top, and their seams, from a size chart
    row with the t-shirt chart's columns. The front's neckline is two edges, ``neckline.L`` and
    ``neckline.R``, meeting at the centre front. With ``opening_cm`` the front is open: two
    panels ``front.L`` and ``front.R`` that each reach that far past the centre line (the left
    one lies over the right)."""
    fronts = _open_fronts(m, opening_cm) if opening_cm is not None else [_body_panel(
        "front", "front", m, m["front_drop"], left_side_positive=True)]
    back = _body_panel("back", "back", m, m["back_drop"], left_side_positive=False)
    sleeves = [_sleeve(side, m) for side in ("L", "R")]
    front_of = {side: next(f.name for f in fronts if f.name in ("front", f"front.{side}"))
                for side in ("L", "R")}
    seams = []
    for side in ("L", "R"):
        sleeve, front = f"sleeve.{side}", front_of[side]
        seams += [
            Seam((front, f"side.{side}"), ("back", f"side.{side}")),
            Seam((front, f"shoulder.{side}"), ("back", f"shoulder.{side}")),
            Seam((sleeve, "cap_front"), (front, f"armhole.{side}")),
            Seam((sleeve, "cap_back"), ("back", f"armhole.{side}")),
            Seam((sleeve, "underarm_front"), (sleeve, "underarm_back")),
        ]
    return [*fronts, back, *sleeves], seams


def neckline_edges(panels: list[Panel], panel: str) -> tuple[list[Edge], list[Seam], float]:
    """The lower edge of a panel ``panel`` sewn round the neckline of these top panels (a front,
    or fronts ``front.L`` and ``front.R``, and a back), seen from outside, along y = 0: from the
    centre front round the wearer's left (``neck_left``), the back (``neck_back``) and the right
    (``neck_right``) back to the centre front. Returns the edges, their seams and their length."""
    named = {p.name: p for p in panels}
    parts = [("neck_left", named.get("front.L", named.get("front")), "neckline.L"),
             ("neck_back", named["back"], "neckline"),
             ("neck_right", named.get("front.R", named.get("front")), "neckline.R")]
    edges, seams, x = [], [], 0.0
    for name, body_panel, body_edge in parts:
        length = body_panel.edge(body_edge).length
        edges.append(Edge(name, np.array([[x, 0.0], [x + length, 0.0]])))
        seams.append(Seam((panel, name), (body_panel.name, body_edge)))
        x += length
    return edges, seams, x


def _body_panel(name: str, placement: str, m: dict, neck_drop: float,
                left_side_positive: bool) -> Panel:
    """Front or back: seen from outside, the wearer's left is +x on the front, -x on the back.
    Where the chart row has ``hem_width`` (a hoodie's ribbed band), the side seam narrows to it
    over ``HEM_TAPER_CM`` and runs straight down the band's ``HEM_BAND_CM``."""
    half = m["width"] / 2
    neck = m["neck_width"] / 2
    top = m["length"]
    shoulder_z = top - m["shoulder_slope"]
    underarm_z = shoulder_z - m["armhole"]
    angles = np.linspace(0.0, np.pi, 13)
    neckline = np.stack([neck * np.cos(angles), top - neck_drop * np.sin(angles)], -1)
    pos, neg = ("L", "R") if left_side_positive else ("R", "L")
    necklines = ([Edge("neckline.L", neckline[:7]), Edge("neckline.R", neckline[6:])]
                 if placement == "front" else [Edge("neckline", neckline)])
    hem = m.get("hem_width", m["width"]) / 2
    side = np.array([[hem, 0.0], [hem, HEM_BAND_CM], [half, HEM_BAND_CM + HEM_TAPER_CM],
                     [half, underarm_z]]) if hem < half else np.array([[half, 0.0],
                                                                       [half, underarm_z]])
    edges = [
        Edge("hem", np.array([[-hem, 0.0], [hem, 0.0]])),
        Edge(f"side.{pos}", side),
        Edge(f"armhole.{pos}", np.array([[half, underarm_z], [half, shoulder_z]])),
        Edge(f"shoulder.{pos}", np.array([[half, shoulder_z], [neck, top]])),
        *necklines,
        Edge(f"shoulder.{neg}", np.array([[-neck, top], [-half, shoulder_z]])),
        Edge(f"armhole.{neg}", np.array([[-half, shoulder_z], [-half, underarm_z]])),
        Edge(f"side.{neg}", side[::-1] * [-1.0, 1.0]),
    ]
    return Panel(name, placement, edges)


def _open_fronts(m: dict, opening_cm: float) -> list[Panel]:
    """The left front (wearer's left at +x, reaching ``opening_cm`` past the centre line) and
    its mirror image, the right front."""
    whole = _body_panel("front", "front", m, m["front_drop"], left_side_positive=True)
    keep = ("hem", "side.L", "armhole.L", "shoulder.L", "neckline.L")
    edges = [whole.edge(name) for name in keep]
    centre = edges[-1].points[-1]  # where the neckline meets the centre line
    edges[0] = Edge("hem", np.array([[-opening_cm, 0.0], edges[0].points[-1]]))
    edges += [Edge("stand", np.array([centre, [-opening_cm, centre[1]]])),
              Edge("opening", np.array([[-opening_cm, centre[1]], [-opening_cm, 0.0]]))]
    right = mirrored(edges, lambda name: name.replace(".L", ".R"))
    return [Panel("front.L", "front.L", edges), Panel("front.R", "front.R", right)]


def _sleeve(side: str, m: dict) -> Panel:
    """A sleeve seen from outside with the cap on top; its back half faces +x on the left arm."""
    cap = m["armhole"]
    hem = m["sleeve_hem"]  # half the panel width = half the hem circumference
    length = m["sleeve_length"]
    pos, neg = ("back", "front") if side == "L" else ("front", "back")
    edges = [
        Edge("hem", np.array([[-hem, 0.0], [hem, 0.0]])),
        Edge(f"underarm_{pos}", np.array([[hem, 0.0], [cap, length]])),
        Edge(f"cap_{pos}", np.array([[cap, length], [0.0, length]])),
        Edge(f"cap_{neg}", np.array([[0.0, length], [-cap, length]])),
        Edge(f"underarm_{neg}", np.array([[-cap, length], [-hem, 0.0]])),
    ]
    return Panel(f"sleeve.{side}", f"sleeve.{side}", edges)
