"""Making an imported pattern's layout ready to drape: panel tags, outward normals, the anchor
level and, for specifications, seam directions (see ``neural.garments.pattern`` for the layout
frame)."""
from __future__ import annotations

import numpy as np

from neural.errors import InputError
from neural.garments.pattern import Panel, PanelLayout, Pattern, Seam

# Y-up frames facing +Z (GarmentCode specs, glTF, most CAD exports) -> the layout frame (Z-up,
# facing -Y): a proper rotation.
Y_UP_TO_LAYOUT = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
ARM_OFFSET_M = 0.2  # panels centred further than this from the midline, facing front or back
#                     (or sewn into a tube), are sleeves
TUBE_OFFSET_M = 0.08  # a tube sewn to other panels and centred off the midline by this is a
#                       sleeve (arms down, a sleeve hangs close in)
SHOULDER_SEAM_MAX_M = 0.25  # a shoulder seam is at most this long across (a flared skirt's side
#                             seams, also in its upper half and slanting, run 35 cm and more)


def finish_layout(pattern: Pattern) -> Pattern:
    """Tag, orient and anchor a pattern whose panels carry layouts in the designer's frame
    (already Z-up, facing -Y, metres, x = 0 the midline); returns the same pattern."""
    _classify_and_orient(pattern)
    _set_anchor(pattern)
    return pattern


def _classify_and_orient(pattern: Pattern) -> None:
    """Tag panels front / back / side / sleeve.L / sleeve.R from their layout; mirror panels seen
    from inside so every panel faces out."""
    placed = {p.name: p.layout.place(p.outline()) for p in pattern.panels}
    normals = {p.name: p.layout.normal for p in pattern.panels}
    centres = {name: points.mean(0) for name, points in placed.items()}
    tubes = {s.a[0] for s in pattern.seams if s.a[0] == s.b[0]}
    sewn_to_others = {name for s in pattern.seams if s.a[0] != s.b[0] for name in (s.a[0], s.b[0])}
    for panel in pattern.panels:
        c, n = centres[panel.name], normals[panel.name]
        tube_off_midline = (panel.name in tubes and panel.name in sewn_to_others
                            and abs(c[0]) > TUBE_OFFSET_M)
        if tube_off_midline or (abs(c[0]) > ARM_OFFSET_M and abs(n[1]) > abs(n[0])):
            panel.placement = "sleeve.L" if c[0] > 0 else "sleeve.R"
    _untag_open_fronts(pattern)
    trunk = [p for p in pattern.panels if not p.placement.startswith("sleeve")]
    if not trunk:
        raise InputError("pattern has no body panels (only sleeves)")
    trunk_points = np.concatenate([placed[p.name] for p in trunk])
    centre_y = (trunk_points[:, 1].max() + trunk_points[:, 1].min()) / 2
    for panel in pattern.panels:
        c = centres[panel.name]
        if panel.placement.startswith("sleeve"):
            group = [centres[p.name] for p in pattern.panels if p.placement == panel.placement]
            outward = c - np.mean(group, axis=0)
        else:
            outward = np.array([c[0], c[1] - centre_y, 0.0])
        if np.dot(normals[panel.name], outward) < 0:
            _mirror(panel)
        n = panel.layout.normal
        if not panel.placement.startswith("sleeve"):
            panel.placement = ("front" if n[1] < 0 else "back") if abs(n[1]) >= abs(n[0]) else "side"


def _untag_open_fronts(pattern: Pattern) -> None:
    """An open front's halves sit off the midline facing front, as sleeves do, but each is
    sewn to a body panel along two stretches of its outline apart (side and shoulder), where a
    sleeve meets it along one (its armhole, perhaps in several stitches): back to the body with
    them (until none is left to move)."""
    def is_sleeve(name: str) -> bool:
        return pattern.panel(name).placement.startswith("sleeve")

    moved = True
    while moved:
        moved = False
        edges: dict[tuple[str, str], set[int]] = {}  # (sleeve, body panel) -> body panel's edges
        for seam in pattern.seams:
            for mine, other in ((seam.a, seam.b), (seam.b, seam.a)):
                if mine[0] != other[0] and is_sleeve(mine[0]) and not is_sleeve(other[0]):
                    edges.setdefault((mine[0], other[0]), set()).add(
                        [e.name for e in pattern.panel(other[0]).edges].index(other[1]))
        for (mine, other), used in edges.items():
            count = len(pattern.panel(other).edges)
            apart = any((j - i) % count not in (0, 1, count - 1) for i in used for j in used)
            if apart and is_sleeve(mine):
                pattern.panel(mine).placement = "front"  # oriented below like any body panel
                moved = True


def orient_seams(pattern: Pattern) -> Pattern:
    """Each seam's direction from how its two panels wind seen from outside (after
    ``finish_layout``, every panel faces out): the same way, and their shared edge runs opposite
    ways on the two (as on the faces of any consistently oriented surface), else the same way;
    the other way round for a seam sewn right side to wrong side.
    For specifications, whose stitches name edges but not which ends meet; where the edges lie
    in the designer's layout does not decide it (a hood drawn standing above the shoulders has
    its neckline's ends nearly equidistant from both ends of the back's). Returns the pattern."""
    pattern.seams = [Seam(seam.a, seam.b, same_direction=(_winding(pattern.panel(seam.a[0]))
                                                          != _winding(pattern.panel(seam.b[0])))
                          != seam.right_to_wrong) for seam in pattern.seams]
    return pattern


def _winding(panel: Panel) -> float:
    """+1 where the panel's outline runs counter-clockwise in its own frame (seen from the side
    its layout's normal points to), -1 clockwise."""
    x, y = panel.outline().T
    return float(np.sign(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


def _mirror(panel: Panel) -> None:
    """Mirror the panel's 2D frame (x -> -x), keeping where its points sit in the layout: a half
    turn about the panel's y axis, so the layout's third column becomes the outward normal."""
    flip = np.array([-1.0, 1.0])
    for edge in panel.edges:
        edge.points = edge.points * flip
    panel.grain = (-panel.grain[0], panel.grain[1])
    panel.layout = PanelLayout(panel.layout.rotation @ np.diag([-1.0, 1.0, -1.0]),
                               panel.layout.translation)


def _set_anchor(pattern: Pattern) -> None:
    """Hang the layout from the shoulders when front and back panels meet in a shoulder seam
    (a seam in the upper half that runs more across than down, at most ``SHOULDER_SEAM_MAX_M``),
    else from the waist; shift the layout so that z = 0 is that level."""
    trunk = [p for p in pattern.panels if not p.placement.startswith("sleeve")]
    heights = np.concatenate([p.layout.place(p.outline())[:, 2] for p in trunk])
    middle = (heights.max() + heights.min()) / 2
    shoulder_tops = []
    for seam in pattern.seams:
        placements = {pattern.panel(seam.a[0]).placement, pattern.panel(seam.b[0]).placement}
        if placements != {"front", "back"}:
            continue
        edge = pattern.seam_edges(seam)[0]
        points = pattern.panel(seam.a[0]).layout.place(edge.points)
        rise = np.ptp(points[:, 2])
        run = np.linalg.norm(np.ptp(points[:, :2], axis=0))
        if rise < run <= SHOULDER_SEAM_MAX_M and points[:, 2].min() > middle:
            shoulder_tops.append(points[:, 2].max())
    if shoulder_tops:
        pattern.anchor, level = "shoulders", max(shoulder_tops)
    else:
        pattern.anchor, level = "waist", heights.max()
    for panel in pattern.panels:
        panel.layout = PanelLayout(panel.layout.rotation,
                                   panel.layout.translation - np.array([0.0, 0.0, level]))
