"""Garments made in garment CAD: meshes whose UVs are the flat sewing pattern.

The convention of CLO3D, Marvelous Designer and the Berkeley Garment Library exports: each UV
island is one panel's flat shape, and where islands meet in 3D (one vertex with several UVs, or
separate vertices at one position) the panels are sewn. From such a mesh (OBJ, or GLB/glTF) this
module rebuilds a ``Pattern``: one panel per island, its outline split into edges where the
neighbouring panel changes, seams between matching edges, and each panel's layout from a rigid
fit of its flat shape to where it sits in the mesh. UV scale is recovered per island from the 3D
edge lengths (UVs packed into [0, 1] are fine); the mesh's length unit is guessed from its size
unless given. Frames: ``up="y"`` reads Y-up meshes (glTF, most CAD exports), ``up="z"`` Z-up
ones; the garment is turned about the vertical so that it is wider (left-right) than deep.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neural.errors import InputError
from neural.garments.layout import Y_UP_TO_LAYOUT, finish_layout
from neural.garments.pattern import Edge, Panel, PanelLayout, Pattern, Seam

UNIT_GUESSES = (1.0, 0.01, 1 / 300, 0.001)  # metres per mesh unit, tried in this order
FOLDED_SHARE = 0.01  # an island with more of its UV triangles mirrored than this is no panel
NEEDS_PATTERN_UVS = "an imported garment needs UVs that lay out its flat sewing pattern, one island per panel"
QUARTER_TURN = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # about +Z


def read_pattern_mesh(path: str | os.PathLike, up: str = "y",
                      metres_per_unit: float | None = None) -> Pattern:
    """A mesh whose UV islands are pattern panels -> ``Pattern`` (cm) with layouts."""
    path = Path(path)
    if up not in ("y", "z"):
        raise InputError(f"up axis must be y or z, not {up!r}")
    positions, uvs, corners = _load(path)
    vertex_of, faces = np.unique(corners.reshape(-1, 2), axis=0, return_inverse=True)
    faces = faces.reshape(-1, 3)
    uv = uvs[vertex_of[:, 1]]
    face_island = _islands(faces, len(uv))[faces[:, 0]]
    island_faces = {i: faces[face_island == i] for i in np.unique(face_island)}
    _require_flat(island_faces, uv, path)
    used = np.unique(corners[..., 0])
    scale = metres_per_unit or _guess_unit(positions[used], path)
    positions = positions * scale
    if up == "y":
        positions = positions @ Y_UP_TO_LAYOUT.T
    if np.ptp(positions[used, 1]) > np.ptp(positions[used, 0]):
        positions = positions @ QUARTER_TURN.T  # worn garments are wider than deep
    positions[:, 0] -= (positions[used, 0].max() + positions[used, 0].min()) / 2
    xyz = positions[vertex_of[:, 0]]
    point = _weld(xyz)
    loops = {i: _outer_loop(f, uv) for i, f in island_faces.items() if len(f) >= 2}
    if not loops:
        raise InputError(f"mesh has no UV islands with at least two triangles: {path}")
    outline_edges = _outline_edges(loops, point)
    panels, runs = {}, {}
    for island, loop in loops.items():
        flat_cm = _flat_shape(island_faces[island], xyz, uv) * 100.0
        runs[island] = _runs(island, loop, point, outline_edges, loops)
        panels[island] = _panel(f"panel{len(panels)}", loop, runs[island], flat_cm, xyz)
    seams = _seams(runs, loops, point)
    if not seams:
        raise InputError(f"no seams found: the mesh's UV islands share no 3D edges: {path}")
    pattern = Pattern(path.stem, "as designed", list(panels.values()), seams)
    return finish_layout(pattern)


def _load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (P, 3), UVs (T, 2) and per-triangle corners (F, 3, 2) as (position, uv) ids."""
    if not path.is_file():
        raise InputError(f"garment mesh not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".obj":
        return _load_obj(path)
    if suffix in (".glb", ".gltf"):
        return _load_gltf(path)
    raise InputError(f"garment mesh must be .obj, .glb or .gltf: {path}")


def _load_obj(path: Path):
    positions, uvs, corners = [], [], []
    try:
        for line in path.read_text(errors="replace").splitlines():
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "v":
                positions.append([float(x) for x in parts[1:4]])
            elif parts[0] == "vt":
                uvs.append([float(x) for x in parts[1:3]])
            elif parts[0] == "f":
                ids = [p.split("/") for p in parts[1:]]
                if any(len(i) < 2 or not i[1] for i in ids):
                    raise InputError(f"mesh faces have no UVs (v/vt): {NEEDS_PATTERN_UVS}: "
                                     f"{path}")
                polygon = [(_obj_index(i[0], len(positions)), _obj_index(i[1], len(uvs)))
                           for i in ids]
                corners += [[polygon[0], polygon[k], polygon[k + 1]]
                            for k in range(1, len(polygon) - 1)]
    except ValueError as error:
        raise InputError(f"malformed OBJ ({error}): {path}") from error
    if not corners:
        raise InputError(f"mesh has no faces: {path}")
    return np.asarray(positions), np.asarray(uvs), np.asarray(corners)


def _obj_index(text: str, count: int) -> int:
    index = int(text)
    return index - 1 if index > 0 else count + index


def _load_gltf(path: Path):
    import trimesh

    try:
        mesh = trimesh.load(path, force="mesh", process=False)
    except Exception as error:  # trimesh raises many kinds on bad files
        raise InputError(f"could not read {path}: {error}") from error
    uv = getattr(mesh.visual, "uv", None)
    if uv is None or len(uv) != len(mesh.vertices):
        raise InputError(f"mesh has no UVs: {NEEDS_PATTERN_UVS}: {path}")
    ids = np.asarray(mesh.faces)
    return np.asarray(mesh.vertices), np.asarray(uv), np.stack([ids, ids], -1)


def _require_flat(island_faces: dict, uv: np.ndarray, path: Path) -> None:
    """Refuse UVs that are not a flat pattern: a panel lies flat, so all of an island's UV
    triangles turn the same way; one that folds over itself (UVs laid out for a texture, with
    mirrored or overlapping parts) or has no area is not a panel."""
    for number, faces in enumerate(island_faces.values()):
        corners = uv[faces]
        first, second = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
        signed = first[:, 0] * second[:, 1] - first[:, 1] * second[:, 0]
        folded = int(min((signed > 0).sum(), (signed < 0).sum()))
        if folded > FOLDED_SHARE * len(faces) or not signed.any():
            what = (f"folds over itself ({folded} of {len(faces)} triangles mirrored)"
                    if signed.any() else "has no area")
            raise InputError(f"UV island {number} {what}: these UVs are not a flat sewing "
                             f"pattern; {NEEDS_PATTERN_UVS}: {path}")


def _guess_unit(positions: np.ndarray, path: Path) -> float:
    """Metres per unit: the first guess that makes a worn garment's size plausible, at most
    2.2 m across and 0.1-0.6 m along its thinnest axis (its depth on the body)."""
    extent = np.ptp(positions, axis=0)
    for unit in UNIT_GUESSES:
        if extent.max() * unit <= 2.2 and 0.1 <= extent.min() * unit <= 0.6:
            return unit
    raise InputError(f"cannot tell the mesh's length unit ({extent.max():.4g} units across): "
                     f"{path}; give it explicitly")


def _weld(xyz: np.ndarray) -> np.ndarray:
    """Id per vertex of its 3D point: vertices closer than 1e-5 of the mesh's size share it."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    tolerance = 1e-5 * float(np.ptp(xyz, axis=0).max())
    pairs = cKDTree(xyz).query_pairs(tolerance, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(xyz), len(xyz)))
    return connected_components(graph, directed=False)[1]


def _islands(faces: np.ndarray, count: int) -> np.ndarray:
    """Island id per (position, uv) vertex: connected through triangles."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rows = np.concatenate([faces[:, 0], faces[:, 1]])
    cols = np.concatenate([faces[:, 1], faces[:, 2]])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(count, count))
    return connected_components(graph, directed=False)[1]


def _outer_loop(faces: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """The island's outline: boundary vertices in order, the loop with the largest UV area."""
    directed = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    undirected, counts = np.unique(np.sort(directed, 1), axis=0, return_counts=True)
    once = {tuple(e) for e in undirected[counts == 1]}
    following = {}
    for a, b in directed:
        if (min(a, b), max(a, b)) in once:
            following.setdefault(int(a), int(b))
    loops, seen = [], set()
    for start in following:
        if start in seen:
            continue
        loop, vertex = [], start
        while vertex not in seen and vertex in following:
            seen.add(vertex)
            loop.append(vertex)
            vertex = following[vertex]
        loops.append(np.asarray(loop))
    return max(loops, key=lambda loop: abs(_area(uv[loop])))


def _area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _flat_shape(faces: np.ndarray, xyz: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """The island's UVs (V, 2) scaled to metres by the median 3D / UV edge-length ratio."""
    edges = np.unique(np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]]]), 1), axis=0)
    flat = np.linalg.norm(uv[edges[:, 0]] - uv[edges[:, 1]], axis=1)
    real = np.linalg.norm(xyz[edges[:, 0]] - xyz[edges[:, 1]], axis=1)
    usable = flat > 1e-12
    return uv * float(np.median(real[usable] / flat[usable]))


def _outline_edges(loops: dict, point: np.ndarray) -> dict:
    """Every outline edge by its two 3D points: {frozenset(points): [(island, index)]}."""
    where = {}
    for island, loop in loops.items():
        n = len(loop)
        for k in range(n):
            key = frozenset((point[loop[k]], point[loop[(k + 1) % n]]))
            where.setdefault(key, []).append((island, k))
    return where


def _runs(island: int, loop: np.ndarray, point: np.ndarray, where: dict, loops: dict
          ) -> list[tuple]:
    """Split an outline into runs of edges sewn along one stretch of one other outline (or sewn
    to nothing): [(start index, end index inclusive in the loop, partner island or None)];
    ``where`` is ``_outline_edges``."""
    n = len(loop)
    partners = []
    for k in range(n):
        key = frozenset((point[loop[k]], point[loop[(k + 1) % n]]))
        found = [w for w in where.get(key, []) if w != (island, k)]
        partners.append(found[0] if len(key) == 2 and found else None)

    def joins(k: int) -> bool:  # edge k continues the run of edge k - 1
        a, b = partners[k - 1], partners[k]
        if a is None or b is None:
            return a is None and b is None
        return a[0] == b[0] and (b[1] - a[1]) % len(loops[a[0]]) in (1, len(loops[a[0]]) - 1)

    starts = [k for k in range(n) if not joins(k)] or [0]
    runs = []
    for i, start in enumerate(starts):
        end = starts[(i + 1) % len(starts)]
        length = (end - start) % n or n
        partner = partners[start][0] if partners[start] is not None else None
        runs.append((start, (start + length) % n, partner))
    return runs


def _panel(name: str, loop: np.ndarray, runs: list[tuple], flat_cm: np.ndarray,
           xyz: np.ndarray) -> Panel:
    """One panel: its edges from the runs, its layout from a rigid fit of flat to 3D."""
    n = len(loop)
    rotation, translation, mirrored = _rigid_fit(flat_cm[loop] / 100.0, xyz[loop])
    flip = np.array([-1.0, 1.0]) if mirrored else np.ones(2)
    edges = []
    for i, (start, end, _) in enumerate(runs):
        length = (end - start) % n or n
        indices = loop[(start + np.arange(length + 1)) % n]
        edges.append(Edge(f"e{i}", flat_cm[indices] * flip))
    return Panel(name, "layout", edges, layout=PanelLayout(rotation, translation))


def _rigid_fit(flat: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Rotation (3, 3), translation (3,) placing flat points (x, y, 0) (or mirrored in x, when
    that fits better) nearest the 3D points; and whether mirrored."""
    best = None
    for mirrored in (False, True):
        source = np.column_stack([flat * ([-1.0, 1.0] if mirrored else 1.0), np.zeros(len(flat))])
        s_mean, t_mean = source.mean(0), target.mean(0)
        u, _, vt = np.linalg.svd((source - s_mean).T @ (target - t_mean))
        d = np.sign(np.linalg.det(vt.T @ u.T)) or 1.0
        rotation = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
        residual = np.linalg.norm((source - s_mean) @ rotation.T - (target - t_mean))
        if best is None or residual < best[0]:
            best = (residual, rotation, t_mean - rotation @ s_mean, mirrored)
    return best[1], best[2], best[3]


def _seams(runs: dict, loops: dict, point: np.ndarray) -> list[Seam]:
    """One seam per pair of runs sewn to each other."""
    names = {island: f"panel{i}" for i, island in enumerate(runs)}
    seams, done = [], set()
    for island, island_runs in runs.items():
        loop = loops[island]
        for i, (start, end, partner) in enumerate(island_runs):
            if partner is None or (island, i) in done:
                continue
            ends = (point[loop[start]], point[loop[end]])
            other_loop = loops[partner]
            for j, (o_start, o_end, o_partner) in enumerate(runs[partner]):
                if o_partner != island or (partner, j) in done or (partner, j) == (island, i):
                    continue
                o_ends = (point[other_loop[o_start]], point[other_loop[o_end]])
                if set(ends) == set(o_ends):
                    seams.append(Seam((names[island], f"e{i}"), (names[partner], f"e{j}"),
                                      same_direction=ends == o_ends and ends[0] != ends[1]))
                    done |= {(island, i), (partner, j)}
                    break
    return seams
