"""Posed variants of a garment mesh, for make bench-imports: the same garment exported by a tool
whose avatar held its arms otherwise (raised towards a T-pose, or lowered towards the sides).

A mesh whose UV islands are its pattern (``neural.garments.mesh_import``) is read; its sleeve
islands (as the importer tags them) turn about the front-to-back axis through their armhole's
centre: fully from ``RAMP`` of the sleeve's length past the armhole on, less and less nearer
it, and not at all at the vertices sewn to the body panels, which stay where they are so the
seams still meet (the sleeve bends at the armhole rather than stretching there); UVs and faces
are unchanged. Written as OBJ in the source's own unit and up axis.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

POSES = {"raised": 40.0, "lowered": -30.0}  # degrees the sleeves turn up (+) from the source's
RAMP = 0.4  # share of the sleeve's reach from its armhole over which the turn builds up


def posed_variant(source: Path, up: str, pose: str, out: Path) -> Path | None:
    """Write ``source`` with its sleeves turned as ``pose`` says into ``out``; None when the
    mesh has no sleeves."""
    from neural.garments import mesh_import

    positions, uvs, corners = mesh_import._load(source)
    vertex_of, faces = np.unique(corners.reshape(-1, 2), axis=0, return_inverse=True)
    faces = faces.reshape(-1, 3)
    island = mesh_import._islands(faces, len(vertex_of))
    pattern = mesh_import.read_pattern_mesh(source, up)
    big = [i for i in np.unique(island[faces[:, 0]])
           if (island[faces[:, 0]] == i).sum() >= 2]  # the importer's panels, in its order
    placement = {i: panel.placement for i, panel in zip(big, pattern.panels)}
    sleeve_of = np.array([placement.get(i, "") for i in island])  # per (position, uv) vertex
    if not any(p.startswith("sleeve") for p in sleeve_of):
        return None
    point = mesh_import._weld(positions[vertex_of[:, 0]])
    in_body = np.zeros(point.max() + 1, dtype=bool)
    in_body[point[~np.char.startswith(sleeve_of, "sleeve")]] = True
    moved = positions.copy()
    depth_axis = np.array([0.0, 0.0, 1.0]) if up == "y" else np.array([0.0, 1.0, 0.0])
    for side in ("sleeve.L", "sleeve.R"):
        mine = sleeve_of == side
        if not mine.any():
            continue
        armhole = mine & in_body[point]
        pivot = positions[vertex_of[armhole, 0]].mean(0) if armhole.any() else \
            positions[vertex_of[mine, 0]].mean(0)
        outward = np.sign(positions[vertex_of[mine, 0], 0].mean() - pivot[0]) or 1.0
        angle = np.radians(POSES[pose]) * outward * (1.0 if up == "y" else -1.0)
        free = np.unique(vertex_of[mine & ~in_body[point], 0])
        seam = positions[np.unique(vertex_of[armhole, 0])] if armhole.any() else pivot[None]
        reach = np.linalg.norm(positions[free][:, None] - seam[None], axis=2).min(1)
        share = np.clip(reach / (RAMP * reach.max()), 0.0, 1.0)
        for index, fraction in zip(free, share):
            turn = _rotation(depth_axis, angle * fraction)
            moved[index] = turn @ (positions[index] - pivot) + pivot
    out.parent.mkdir(parents=True, exist_ok=True)
    lines, index = [], 0
    for line in source.read_text(errors="replace").splitlines():
        if line.startswith("v "):
            lines.append("v " + " ".join(f"{x:.6g}" for x in moved[index]))
            index += 1
        else:
            lines.append(line)
    out.write_text("\n".join(lines) + "\n")
    return out


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rotation matrix (3, 3) about unit ``axis`` by ``angle`` radians (right hand)."""
    x, y, z = axis
    k = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * k @ k
