"""A learned drape: where Newton's cloth would settle a garment, predicted in milliseconds.

Each panel moves from where placement puts it (``DrapeSetup.start_positions``: wrapped round the
body, Z-up metres) to where the solver settles it. That move is a bilinear grid of
``GRID`` x ``GRID`` nodes over the panel's pattern box (its rest UVs scaled to [0, 1]), so one
model serves every size of a garment kind whatever its triangulation; each node's 3D move is
linear in the drape's standardised features: the body's measurements (cm), the size chart's
row for the garment (cm) and the fabric's stiffness and weight (log). ``fit`` solves for the
weights by ridge regression with a smoothness penalty across the grid, on physics drapes
(``neural.drape.train_drape``); ``predict`` adds the move to the placed panels and pushes any
point that ends inside the body or too near it back out along the nearest body vertex's normal
(``BodyClearance``, built once per body), after the vertices sewn together are joined and
over-stretched edges pulled back (``finish``). One model per garment kind, saved as
``weights/<kind>.npz`` beside this module.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GRID = 10  # nodes per side of a panel's grid
WEIGHTS_DIR = Path(__file__).parent / "weights"
BODY_FEATURES = ("stature", "chest_girth", "waist_girth", "hip_girth", "shoulder_width",
                 "arm_length", "neck_girth", "upper_arm_girth", "back_length", "inseam",
                 "thigh_girth")
FABRIC_FEATURES = ("density", "stretch", "shear", "bend")
RIDGE = 1e-3  # weight penalty, relative to the normal matrix's mean diagonal
SMOOTHNESS = 1e-2  # penalty on neighbouring grid nodes' difference, likewise relative


@dataclass(frozen=True)
class DrapeExample:
    """One drape as the model sees it: the panel of each garment vertex (V,) and its rest UV
    (V, 2, metres), the placed and (for training) settled positions (V, 3, metres), and the
    features (``feature_vector``)."""

    panel: np.ndarray
    uv: np.ndarray
    placed: np.ndarray
    features: np.ndarray
    settled: np.ndarray | None = None


@dataclass(frozen=True)
class DrapeModel:
    """Grid weights per panel (panel count, features, GRID * GRID, 3) in metres, and the
    features' names, mean and spread (the standardisation)."""

    kind: str
    panels: tuple[str, ...]
    feature_names: tuple[str, ...]
    mean: np.ndarray
    spread: np.ndarray
    weights: np.ndarray

    def moves(self, example: DrapeExample) -> np.ndarray:
        """(V, 3) metres each garment vertex moves from its placed position."""
        features = np.r_[1.0, (example.features - self.mean) / self.spread]
        nodes = np.einsum("f,pfgc->pgc", features, self.weights)  # (P, GRID * GRID, 3)
        moves = np.zeros_like(example.placed)
        for index in range(len(self.panels)):
            mine = example.panel == index
            moves[mine] = bilinear(panel_box_coordinates(example.uv[mine])) @ nodes[index]
        return moves

    def save(self, path: str | Path) -> None:
        """Write the model as .npz (float32 weights), atomically."""
        import io

        from neural.files import write_bytes_atomic

        buffer = io.BytesIO()
        np.savez(buffer, kind=self.kind, panels=np.array(self.panels),
                 feature_names=np.array(self.feature_names), mean=self.mean,
                 spread=self.spread, weights=self.weights.astype(np.float32))
        write_bytes_atomic(path, buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> "DrapeModel":
        """A model written by ``save``."""
        with np.load(path) as stored:
            return cls(str(stored["kind"]), tuple(stored["panels"].tolist()),
                       tuple(stored["feature_names"].tolist()), stored["mean"],
                       stored["spread"], stored["weights"].astype(np.float64))


def feature_names(chart_row: dict) -> tuple[str, ...]:
    """The features of a garment whose size-chart row is ``chart_row``, in order."""
    return (*BODY_FEATURES, *sorted(k for k, v in chart_row.items() if _is_number(v)),
            *FABRIC_FEATURES)


def feature_vector(measurements_cm: dict, chart_row: dict, fabric: dict) -> np.ndarray:
    """Body measurements (cm), the size chart row's numbers (cm) and the fabric's log
    parameters, in ``feature_names`` order."""
    row = [chart_row[k] for k in sorted(k for k, v in chart_row.items() if _is_number(v))]
    return np.array([*(measurements_cm[k] for k in BODY_FEATURES), *row,
                     *(np.log(fabric[k]) for k in FABRIC_FEATURES)], dtype=np.float64)


def setup_example(setup, settled: np.ndarray | None = None) -> DrapeExample:
    """A ``DrapeSetup``'s garment as a ``DrapeExample`` (the body's measurements from its
    avatar document)."""
    from neural.drape.drape_garment import panel_masks

    features = feature_vector(setup.avatar["measurements"], setup.garment["size_chart_row"],
                              setup.garment["fabric"])
    return DrapeExample(panel_masks(setup)[0], setup.mesh.uv, setup.start_positions, features,
                        settled)


def predict(model: DrapeModel, setup, clearance: "BodyClearance | None" = None) -> np.ndarray:
    """(V, 3) metres: the garment of ``setup`` where the model says it settles, clear of the
    body and the garments under it (``clearance``: that collider's, when already built)."""
    example = setup_example(setup)
    return finish(example.placed + model.moves(example), setup.mesh.faces, setup.mesh.uv,
                  setup.mesh.seam_pairs, clearance or BodyClearance(*setup.collider()))


RELAX_ITERATIONS = 5  # stretch-limiting passes: enough to undo the few crossed edges a
RELAX_SLACK = 0.02  # prediction leaves at the armpits; edges may stay this much over rest


def finish(positions: np.ndarray, faces: np.ndarray, rest_uv: np.ndarray,
           seam_pairs: np.ndarray, clearance: "BodyClearance") -> np.ndarray:
    """A predicted garment (V, 3, metres) made wearable: the vertices sewn together joined,
    edges stretched past their rest length (``rest_uv``, metres) by more than ``RELAX_SLACK``
    pulled back (``RELAX_ITERATIONS`` Jacobi passes, seams kept joined), then pushed clear of
    the body."""
    from neural.drape.fit_metrics import face_edges

    edges = np.unique(np.sort(face_edges(faces), axis=1), axis=0)
    groups = seam_groups(seam_pairs, len(positions), edges)
    longest = np.linalg.norm(rest_uv[edges[:, 0]] - rest_uv[edges[:, 1]], axis=1)
    longest *= 1.0 + RELAX_SLACK
    degree = np.bincount(edges.ravel(), minlength=len(positions))[:, None]
    positions = weld(positions, groups)
    for _ in range(RELAX_ITERATIONS):
        along = positions[edges[:, 1]] - positions[edges[:, 0]]
        length = np.linalg.norm(along, axis=1)
        pull = 0.5 * along * (np.maximum(length - longest, 0.0) / np.maximum(length, 1e-12)
                              )[:, None]
        moved = np.stack([np.bincount(edges[:, 0], pull[:, axis], len(positions))
                          - np.bincount(edges[:, 1], pull[:, axis], len(positions))
                          for axis in range(3)], axis=1)
        positions = weld(positions + moved / np.maximum(degree, 1), groups)
    return clearance.push_out(positions)


def seam_groups(seam_pairs: np.ndarray, count: int, edges: np.ndarray) -> np.ndarray:
    """(count,) a group number per vertex: vertices sewn together (``seam_pairs`` (S, 2),
    joined through shared vertices at seam corners) share one, unless two of them are ends of
    one mesh edge (``edges`` (E, 2)): joining those would collapse a triangle, so each such
    vertex keeps a group of its own (the solver closes those seams)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    links = coo_matrix((np.ones(len(seam_pairs)), (seam_pairs[:, 0], seam_pairs[:, 1])),
                       shape=(count, count))
    groups = connected_components(links, directed=False)[1]
    collapsing = np.isin(groups, groups[edges[:, 0]][groups[edges[:, 0]] == groups[edges[:, 1]]])
    alone = np.flatnonzero(collapsing)
    groups[alone] = groups.max() + 1 + np.arange(len(alone))
    return np.unique(groups, return_inverse=True)[1]  # numbered 0.. without gaps


def weld(positions: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``positions`` (V, 3) with each ``seam_groups`` group moved to its mean."""
    sums = np.stack([np.bincount(groups, positions[:, axis]) for axis in range(3)], axis=1)
    return (sums / np.bincount(groups)[:, None])[groups]


CLEARANCE_M = 0.005  # cloth kept this far out of the body: the solver's cloth thickness + 1 mm


class BodyClearance:
    """A body mesh (Z-up metres) made ready to push points out of it quickly: a k-d tree of
    its vertices and their normals. A point is judged against the tangent planes of its
    ``NEAREST`` nearest vertices and moved out along the one it lies deepest behind: the
    nearest vertex alone misjudges creases (under the arm the nearest may be on the arm while
    the point is inside the chest). Good to a fraction of the vertex spacing (~1 cm), which
    ``CLEARANCE_M`` covers."""

    NEAREST = 4
    PASSES = 2  # a move can bring a point near another part of the body

    def __init__(self, vertices: np.ndarray, faces: np.ndarray):
        from scipy.spatial import cKDTree

        corners = vertices[faces]
        face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        normals = np.stack([  # area-weighted sums of the faces round each vertex
            sum(np.bincount(faces[:, corner], face_normals[:, axis], len(vertices))
                for corner in range(3)) for axis in range(3)], axis=1)
        self.vertices = vertices
        self.normals = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True),
                                            1e-12)
        self.tree = cKDTree(vertices)

    def push_out(self, points: np.ndarray, clearance: float = CLEARANCE_M) -> np.ndarray:
        """``points`` (n, 3) with each one nearer than ``clearance`` to the body's surface (or
        inside it) moved out along a near vertex's normal to ``clearance``."""
        for _ in range(self.PASSES):
            nearest = self.tree.query(points, self.NEAREST)[1]  # (n, NEAREST)
            normals = self.normals[nearest]
            height = np.einsum("ijk,ijk->ij", points[:, None] - self.vertices[nearest], normals)
            lift = clearance - height
            worst = lift.argmax(axis=1)
            rows = np.arange(len(points))
            points = points + normals[rows, worst] * np.maximum(lift[rows, worst], 0.0)[:, None]
        return points


@functools.lru_cache(maxsize=16)
def load_model(kind: str) -> DrapeModel | None:
    """The shipped model of a garment kind, or None when none has been trained."""
    path = WEIGHTS_DIR / f"{kind}.npz"
    return DrapeModel.load(path) if path.is_file() else None


def fit(kind: str, panels: tuple[str, ...], names: tuple[str, ...],
        examples: list[DrapeExample]) -> DrapeModel:
    """Ridge regression of every panel's grid on the standardised features, over
    ``examples`` (each with ``settled``)."""
    features = np.stack([example.features for example in examples])
    mean, spread = features.mean(0), features.std(0)
    spread = np.where(spread > 1e-9, spread, 1.0)
    scaled = np.c_[np.ones(len(examples)), (features - mean) / spread]  # (S, F)
    count, nodes = scaled.shape[1], GRID * GRID
    pairs = np.einsum("sf,sg->sfg", scaled, scaled).reshape(len(examples), -1)
    smooth = np.kron(np.eye(count), _grid_laplacian())
    weights = np.zeros((len(panels), count, nodes, 3))
    for index in range(len(panels)):
        grams, pulls = [], []  # per example: B^T B (nodes, nodes) and B^T moves (nodes, 3)
        for example in examples:
            mine = example.panel == index
            basis = bilinear(panel_box_coordinates(example.uv[mine]))
            grams.append((basis.T @ basis).toarray())
            pulls.append(basis.T @ (example.settled - example.placed)[mine])
        # sum over examples of kron(phi phi^T, B^T B) and kron(phi, B^T moves)
        normal = (pairs.T @ np.reshape(grams, (len(examples), -1))).reshape(
            count, count, nodes, nodes).transpose(0, 2, 1, 3).reshape(count * nodes, -1)
        right = np.einsum("sf,snc->fnc", scaled, np.array(pulls)).reshape(count * nodes, 3)
        level = np.trace(normal) / len(normal)
        normal += level * (RIDGE * np.eye(len(normal)) + SMOOTHNESS * smooth)
        weights[index] = np.linalg.solve(normal, right).reshape(count, nodes, 3)
    return DrapeModel(kind, panels, names, mean, spread, weights)


def panel_box_coordinates(uv: np.ndarray) -> np.ndarray:
    """(V, 2) rest UVs of one panel scaled to [0, 1] across its bounding box."""
    low, high = uv.min(0), uv.max(0)
    return (uv - low) / np.where(high - low > 0, high - low, 1.0)


def bilinear(coordinates: np.ndarray):
    """Sparse (V, GRID * GRID) bilinear weights of points at ``coordinates`` in [0, 1]^2."""
    from scipy import sparse

    scaled = np.clip(coordinates * (GRID - 1), 0.0, GRID - 1 - 1e-9)
    cell, part = scaled.astype(int), scaled - scaled.astype(int)
    corners = [(0, 0), (1, 0), (0, 1), (1, 1)]
    columns = np.stack([(cell[:, 0] + du) * GRID + cell[:, 1] + dv for du, dv in corners], 1)
    values = np.stack([np.where(du, part[:, 0], 1 - part[:, 0])
                       * np.where(dv, part[:, 1], 1 - part[:, 1]) for du, dv in corners], 1)
    rows = np.repeat(np.arange(len(coordinates)), 4)
    return sparse.csr_matrix((values.ravel(), (rows, columns.ravel())),
                             shape=(len(coordinates), GRID * GRID))


def _grid_laplacian() -> np.ndarray:
    """(GRID^2, GRID^2) sum of squared differences between neighbouring nodes, as a matrix."""
    differences = []
    for u in range(GRID):
        for v in range(GRID):
            for du, dv in ((1, 0), (0, 1)):
                if u + du < GRID and v + dv < GRID:
                    row = np.zeros(GRID * GRID)
                    row[u * GRID + v], row[(u + du) * GRID + v + dv] = -1.0, 1.0
                    differences.append(row)
    differences = np.array(differences)
    return differences.T @ differences


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
