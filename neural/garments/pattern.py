"""A sewing pattern: flat panels (polylines in cm) and the seams that join their edges.

Panel frame: 2D, cm, as seen from outside the garment, x to the viewer's right, y up.
Layout frame (where a panel sits on the body it was designed for): metres, Z-up, the body facing
-Y, wearer's left +X, x = 0 the body's midline, z measured from the pattern's anchor level
(``shoulders``: the shoulder line beside the neck; ``waist``: the natural waist).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Edge:
    """A named stretch of a panel outline; ``points`` (k, 2) cm, from start to end."""

    name: str
    points: np.ndarray

    @property
    def length(self) -> float:
        return float(np.linalg.norm(np.diff(self.points, axis=0), axis=1).sum())


@dataclass(frozen=True)
class PanelLayout:
    """Where a panel sits in the layout frame: point = rotation @ (x, y, 0) / 100 + translation,
    for panel points (x, y) in cm; rotation (3, 3), translation (3,) metres."""

    rotation: np.ndarray
    translation: np.ndarray

    @property
    def normal(self) -> np.ndarray:
        """The panel's normal (3,): the side from which its outline runs counter-clockwise."""
        return self.rotation[:, 2]

    def place(self, points_cm: np.ndarray) -> np.ndarray:
        """Panel points (n, 2) cm -> layout-frame points (n, 3) metres."""
        flat = np.column_stack([points_cm / 100.0, np.zeros(len(points_cm))])
        return flat @ self.rotation.T + self.translation


# panel frame -> layout frame for a panel facing the front (-Y) or the back (+Y), seen from
# outside: panel x across (to the wearer's left on the front, right on the back), y up
FACING = {"front": np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]),
          "back": np.array([[-1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])}
HANGING_DEPTH_M = 0.12  # front panels hang this far in front of the midline, back ones behind


def hanging_layout(facing: str, anchor_y_cm: float) -> PanelLayout:
    """The layout of a panel facing ``front`` or ``back`` and hung with its height
    ``anchor_y_cm`` (panel frame) at the layout's z = 0, the pattern's anchor level."""
    depth = -HANGING_DEPTH_M if facing == "front" else HANGING_DEPTH_M
    return PanelLayout(FACING[facing], np.array([0.0, depth, -anchor_y_cm / 100]))


def mirrored(edges: list[Edge], rename=lambda name: name) -> list[Edge]:
    """The outline ``edges`` mirrored in x (x -> -x), walked the other way round so that it
    stays counter-clockwise; ``rename`` maps each edge's name."""
    return [Edge(rename(e.name), e.points[::-1] * [-1.0, 1.0]) for e in reversed(edges)]


def hip_curve(hip: np.ndarray, waist: np.ndarray, points: int = 7) -> np.ndarray:
    """A side seam's run from its point on the hip line up to its point at the waist (cm): it
    leaves the hip line upright and turns in towards the waist (a quarter cosine, as a tailor's
    hip curve), so the high hip, on many bodies as wide as the hip itself or wider (a belly),
    keeps the hip's room. ``points`` samples, hip first."""
    s = np.linspace(0.0, 1.0, points)
    return np.column_stack([hip[0] + (waist[0] - hip[0]) * (1.0 - np.cos(s * np.pi / 2)),
                            hip[1] + (waist[1] - hip[1]) * s])


def darted(edge: Edge, darts: list[tuple[float, float, float]]
           ) -> tuple[list[Edge], list[tuple[str, str]]]:
    """A straight edge with darts cut into it: each (where along the edge as a fraction, intake
    at the edge cm, depth into the panel cm) takes a V out of the panel, its apex on the edge's
    inward side (left of its direction, as outlines run counter-clockwise). Returns the edges in
    order ``{name}.0``, ``{name}.dart0.in``, ``{name}.dart0.out``, ``{name}.1``, ... and the
    (in, out) leg names to sew together: the legs meet at the apex, so the start of ``in``
    meets the end of ``out``, as a ``Seam`` between them says."""
    start, end = edge.points[0], edge.points[-1]
    along = (end - start) / np.linalg.norm(end - start)
    inward = np.array([-along[1], along[0]])
    edges, legs, corner = [], [], start
    for i, (at, intake, depth) in enumerate(sorted(darts)):
        centre = start + at * (end - start)
        opening, closing = centre - along * intake / 2, centre + along * intake / 2
        apex = centre + inward * depth
        legs.append((f"{edge.name}.dart{i}.in", f"{edge.name}.dart{i}.out"))
        edges += [Edge(f"{edge.name}.{i}", np.array([corner, opening])),
                  Edge(legs[-1][0], np.array([opening, apex])),
                  Edge(legs[-1][1], np.array([apex, closing]))]
        corner = closing
    edges.append(Edge(f"{edge.name}.{len(darts)}", np.array([corner, end])))
    return edges, legs


@dataclass
class Panel:
    """A flat piece of fabric: edges in order around the outline (each ends where the next starts).

    ``placement`` tells draping where the panel goes: front, back, sleeve.L, sleeve.R (built-in
    garments), or ``layout`` for patterns that carry their own 3D arrangement (imports).
    ``grain`` is the warp direction in the panel frame.
    """

    name: str
    placement: str
    edges: list[Edge]
    grain: tuple[float, float] = (0.0, 1.0)
    layout: PanelLayout | None = None

    def edge(self, name: str) -> Edge:
        return next(e for e in self.edges if e.name == name)

    def outline(self) -> np.ndarray:
        """Closed outline (n, 2) cm without the repeated first point."""
        return np.concatenate([e.points[:-1] for e in self.edges])


@dataclass(frozen=True)
class Seam:
    """Joins edge ``a`` of one panel to edge ``b`` of another: (panel name, edge name) each.

    Normally a's start meets b's end; ``same_direction`` says a's start meets b's start.
    ``right_to_wrong``: a's outer side meets b's inner side (a collar turned over; an imported
    specification's flag, used while its seam directions are worked out).
    """

    a: tuple[str, str]
    b: tuple[str, str]
    same_direction: bool = False
    right_to_wrong: bool = False


@dataclass
class Pattern:
    """Panels and seams of one garment in one size."""

    garment: str
    size: str
    panels: list[Panel]
    seams: list[Seam]
    measurements: dict[str, float] = field(default_factory=dict)  # size-chart row, cm
    anchor: str | None = None  # layout frame's z = 0: "shoulders" or "waist" (see module doc)

    def panel(self, name: str) -> Panel:
        return next(p for p in self.panels if p.name == name)

    def seam_edges(self, seam: Seam) -> tuple[Edge, Edge]:
        return self.panel(seam.a[0]).edge(seam.a[1]), self.panel(seam.b[0]).edge(seam.b[1])

    def to_dict(self) -> dict:
        """JSON form: units cm."""
        document = {
            "garment": self.garment,
            "size": self.size,
            "units": "cm",
            "panels": [
                {"name": p.name, "placement": p.placement, "grain": list(p.grain),
                 "edges": [{"name": e.name, "points": np.round(e.points, 4).tolist()}
                           for e in p.edges]}
                | ({"layout": {"rotation": np.round(p.layout.rotation, 6).tolist(),
                               "translation_m": np.round(p.layout.translation, 5).tolist()}}
                   if p.layout is not None else {})
                for p in self.panels
            ],
            "seams": [
                {"a": list(s.a), "b": list(s.b),
                 "length_cm": round(self.seam_edges(s)[0].length, 3)}
                | ({"same_direction": True} if s.same_direction else {})
                for s in self.seams
            ],
        }
        return document | ({"anchor": self.anchor} if self.anchor else {})

    @staticmethod
    def from_dict(data: dict, measurements: dict[str, float] | None = None) -> "Pattern":
        panels = [
            Panel(p["name"], p["placement"],
                  [Edge(e["name"], np.asarray(e["points"], dtype=float)) for e in p["edges"]],
                  tuple(p.get("grain", (0.0, 1.0))),
                  PanelLayout(np.asarray(p["layout"]["rotation"], dtype=float),
                              np.asarray(p["layout"]["translation_m"], dtype=float))
                  if "layout" in p else None)
            for p in data["panels"]
        ]
        seams = [Seam(tuple(s["a"]), tuple(s["b"]), bool(s.get("same_direction", False)))
                 for s in data["seams"]]
        return Pattern(data["garment"], data["size"], panels, seams, measurements or {},
                       data.get("anchor"))


def resample_polyline(points: np.ndarray, count: int) -> np.ndarray:
    """``count + 1`` points evenly spaced by arc length along a polyline, ends kept."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(steps)])
    targets = np.linspace(0.0, arc[-1], count + 1)
    return np.stack([np.interp(targets, arc, points[:, i]) for i in range(points.shape[1])], -1)
