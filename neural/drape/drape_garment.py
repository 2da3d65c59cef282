"""The drape stage: avatar + garment files in, draped.glb + fit.json out.

Where a learned drape of the garment's kind ships (``learned_drape``), the physics drape starts
from its prediction with a short sewing phase (``LEARNED_START``); otherwise, or when that
attempt fails a gate, from the panels placed round the body. ``learned_drape_files`` writes the
learned drape alone (no simulation). A drape that fails a simulation gate (``fit_metrics.SIMULATION_GATES``: cloth inside the body,
seams left open, cloth still moving, the garment through itself) is draped again with gentler
settings (``ATTEMPTS``); if the last attempt fails too, fit.json's ``simulation`` says so and
why, and ``drape`` raises ``DrapeFailed`` unless asked to keep it. Tightness (strain) is a fit
verdict, never a failure."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from neural.body.anny_body import WAIST_VERTICES, anny_landmarks, rest_body, rest_keypoints
from neural.device import warp_device
from neural.drape.cloth_sim import ClothSettings, Fabric, simulate_cloth
from neural.drape.fit_map import BodyShape, fit_map
from neural.drape.fit_metrics import failed_simulation_gates, failure_reason, fit_report
from neural.drape.layers import Layer, collider, glb_nodes, read_layers, sheets
from neural.drape.placement import (CLEARANCE_M, BodyLandmarks, body_landmarks, place_panels,
                                    push_out_of_body)
from neural.errors import DrapeFailed
from neural.files import write_bytes_atomic, write_json_atomic
from neural.fitting.avatar_file import read_avatar
from neural.garments.garment_file import garment_mesh, read_garment
from neural.garments.meshing import GarmentMesh
from neural.garments.pattern import Pattern
from neural.materials import SKIN, fabric_surface
from neural.mesh_io import glb_bytes
from neural.stage_files import checked


@dataclass
class DrapeSetup:
    """A drape before simulation: the avatar's rest-pose body and the garment placed round it
    (Z-up metres), with its pattern, mesh (rest UVs, faces, seam pairs) and fabric."""

    avatar: dict
    garment: dict
    body: BodyShape
    pattern: Pattern
    mesh: GarmentMesh
    start_positions: np.ndarray
    fabric: Fabric
    layers: list[Layer] = field(default_factory=list)  # garments worn under this one
    landmarks: BodyLandmarks | None = None  # what placement wraps the panels round

    def collider(self) -> tuple[np.ndarray, np.ndarray]:
        """The body and the lower garments as one mesh: vertices (V, 3) m, faces (F, 3)."""
        return collider(self.body.vertices, self.body.faces, self.layers)

    def sheets(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The lower garments as open collision surfaces (``layers.sheets``), lowest first."""
        return sheets(self.layers)

    def placed(self, clearance: float) -> "DrapeSetup":
        """The same drape with its panels placed ``clearance`` (m) out from the body."""
        start = place_panels(self.pattern, self.mesh, self.landmarks, clearance)
        return replace(self, start_positions=push_out_of_body(start, *self.collider()))


@dataclass(frozen=True)
class Attempt:
    """One way to drape: how far out from the body the panels start (m) and the solver's
    settings."""

    name: str
    clearance_m: float
    settings: ClothSettings


# from a learned drape the seams are nearly closed and the cloth is near its rest: sewing is
# short and the cloth's last centimetre is damped harder (t-shirts: 17-25 frames to settle
# against 30-45 from the placed panels, ending as near Newton's placed-start drape as two
# physics drapes from different starts lie to each other, ~8-10 mm mean)
LEARNED_START = Attempt("learned start", CLEARANCE_M,
                        ClothSettings(sew_frames=2, settle_frames=3, damping=12.0,
                                      max_frames=160))
ATTEMPTS = (
    # settling stops as soon as the cloth is still: the 8 s allowed cost only the drapes that
    # are slow to settle (most settle in 1.5-2.5 s; a jacket too small for a tall man in 8 s)
    Attempt("standard", CLEARANCE_M, ClothSettings(max_frames=160)),
    # panels further out, seams closed over twice as long with half the pull, in smaller steps
    Attempt("gentle", 0.05, ClothSettings(substeps=6, sew_frames=20, seam_force_max=0.5,
                                          max_frames=200)),
)


def prepare_drape(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
                  over: str | os.PathLike | None = None,
                  clearance: float = CLEARANCE_M) -> DrapeSetup:
    """Read the avatar and garment files and place the garment's panels around the body (and
    around the garments of the finished drape ``over``, worn under this one), ``clearance``
    (m) out from it."""
    avatar, params = read_avatar(avatar_path)
    garment, mesh, fabric = garment_cloth(garment_path)
    body_vertices, body_faces, joints = rest_body(params)
    layers = read_layers(over, body_vertices) if over is not None else []
    pattern = Pattern.from_dict(garment["pattern"], garment["size_chart_row"])
    template = anny_landmarks()
    arm_vertices = np.zeros(len(body_vertices), dtype=bool)
    arm_vertices[body_faces[template.arm_faces].ravel()] = True
    landmarks = body_landmarks(body_vertices, rest_keypoints(params),
                               body_vertices[list(WAIST_VERTICES), 2].mean(), arm_vertices)
    if layers:  # wrap round the lower garments too
        landmarks = replace(landmarks, trunk=np.vstack([landmarks.trunk,
                                                        *(layer.vertices for layer in layers)]))
    unplaced = DrapeSetup(avatar, garment, BodyShape(body_vertices, body_faces, joints, template),
                          pattern, mesh, np.zeros((len(mesh.uv), 3)), fabric, layers, landmarks)
    return unplaced.placed(clearance)


def garment_cloth(garment_path: str | os.PathLike) -> tuple[dict, GarmentMesh, Fabric]:
    """A garment file's document, its simulation mesh (rest UVs, faces, seam pairs) and its
    fabric."""
    garment, rest_uv, faces, _ = read_garment(garment_path)
    fab = garment["fabric"]
    return (garment, garment_mesh(garment, rest_uv, faces),
            Fabric(fab["density"], fab["stretch"], fab["shear"], fab["bend"], fab["friction"]))


def drape(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
          out_dir: str | os.PathLike, device: str = "cpu",
          progress: Callable[[int, int], None] | None = None,
          over: str | os.PathLike | None = None, keep_failed: bool = False,
          attempts: tuple[Attempt, ...] = ATTEMPTS) -> dict:
    """Place, sew and settle the garment on the avatar (over the garments of the finished drape
    ``over``); write draped.glb and fit.json (quality gates, fit-map regions and per-vertex
    strain and ease). Penetration is measured into the body and the lower garments. Each of
    ``attempts`` is tried in turn until one passes the simulation gates; when none does, the
    attempt that failed the fewest is kept (one that ran to its end before one stopped early,
    the earlier of equals), fit.json's ``simulation`` holds its reason and, unless
    ``keep_failed``, ``DrapeFailed`` is raised with it before anything is written."""
    started = time.perf_counter()
    tried, outcomes = [], []
    setup = prepare_drape(avatar_path, garment_path, over, attempts[0].clearance_m)
    under = setup.sheets()
    learned = learned_start(setup)
    if learned is not None:
        attempts = (LEARNED_START, *attempts)
    for number, attempt in enumerate(attempts, start=1):
        if attempt is LEARNED_START:
            setup = replace(setup, start_positions=learned)
        elif number > 1:  # the files are read once; each attempt places the panels anew
            setup = setup.placed(attempt.clearance_m)
        watch = (_clear_of_body(setup.body.vertices, setup.body.faces)
                 if number < len(attempts) else None)
        simulated = simulate_cloth(setup.start_positions, setup.mesh.faces, setup.mesh.uv,
                                   setup.mesh.seam_pairs, setup.body.vertices,
                                   setup.body.faces, setup.fabric, warp_device(device),
                                   attempt.settings, _unfinished(progress), watch, under)
        report = fit_report(simulated.positions, setup.mesh.uv, setup.mesh.faces,
                            setup.mesh.seam_pairs, setup.body.vertices, setup.body.faces,
                            simulated.speeds, under)
        tried.append({"name": attempt.name, "failed_gates": failed_simulation_gates(report),
                      "stopped_early": simulated.stopped_early})
        outcomes.append((simulated.stopped_early, len(tried[-1]["failed_gates"]), number,
                         setup, simulated, report))
        if not tried[-1]["failed_gates"]:
            break
    *_, setup, simulated, report = min(outcomes, key=lambda o: o[:3])  # the best attempt's
    reason = failure_reason(report)
    if reason and not keep_failed:
        raise DrapeFailed(f"{setup.garment['garment']} {setup.garment['size']} did not drape "
                          f"cleanly on this body after {len(tried)} attempts: {reason}")
    document = _document(setup, simulated, report, {"passed": not reason, "reason": reason,
                                                    "attempts": tried}, device, started)
    _write(out_dir, setup, simulated.positions, document)
    if progress:
        progress(1, 1)
    return document


def learned_start(setup: DrapeSetup) -> np.ndarray | None:
    """The learned drape of ``setup``'s garment (V, 3, metres), or None when no model of its
    kind ships or the garment's panels are not the model's (an imported pattern)."""
    from neural.drape.learned_drape import load_model, predict

    model = load_model(setup.garment["garment"])
    if model is None or tuple(setup.mesh.panel_names) != model.panels:
        return None
    return predict(model, setup)


def learned_drape_files(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
                        out_dir: str | os.PathLike, over: str | os.PathLike | None = None,
                        device: str = "cpu") -> dict:
    """The learned drape alone, in milliseconds: draped.glb and fit.json as ``drape`` writes
    them (the same topology; fit.json's one attempt is named "learned", its simulation gates
    judged on the prediction, with nothing simulated). A preview: written even when it fails a
    gate (a few crossed edges at the crotch or armpits are common), fit.json's ``simulation``
    saying so, as a physics drape kept with ``keep_failed`` does. Raises ``InputError`` when no
    learned drape of the garment's kind ships."""
    from neural.errors import InputError

    started = time.perf_counter()
    setup = prepare_drape(avatar_path, garment_path, over)
    positions = learned_start(setup)
    if positions is None:
        raise InputError(f"no learned drape for {setup.garment['garment']}: drape it without "
                         "--learned")
    from neural.drape.cloth_sim import ClothResult

    result = ClothResult(positions, 0, np.zeros(len(positions)))
    report = fit_report(positions, setup.mesh.uv, setup.mesh.faces, setup.mesh.seam_pairs,
                        setup.body.vertices, setup.body.faces, None, setup.sheets())
    reason = failure_reason(report)
    document = _document(setup, result, report, {
        "passed": not reason, "reason": reason,
        "attempts": [{"name": "learned", "failed_gates": failed_simulation_gates(report),
                      "stopped_early": False}]}, device, started)
    _write(out_dir, setup, positions, document)
    return document


EARLY_DEPTH_M = 0.01  # cloth this deep in the body while settling, look after look,
DEEP_LOOKS = 2  #       does not come out (looks are cloth_sim.WATCH_EVERY frames apart)


def _clear_of_body(vertices: np.ndarray, faces: np.ndarray) -> Callable[[np.ndarray], bool]:
    """A watch for a drape going wrong: False once some cloth point (n, 3) has lain
    ``EARLY_DEPTH_M`` or more inside the body at ``DEEP_LOOKS`` looks in a row, judged by the
    nearest body vertex and its normal (fast, and good to the body's vertex spacing, ~1 cm).
    One deep look is not enough: an underarm seam closing may pull cloth 5 cm in, which the
    next frames push out. The body alone: the garments worn under are open sheets whose
    normals do not say which side is in."""
    import trimesh
    from scipy.spatial import cKDTree

    normals = trimesh.Trimesh(vertices, faces, process=False).vertex_normals
    tree = cKDTree(vertices)
    deep_looks = 0

    def going_well(points: np.ndarray) -> bool:
        nonlocal deep_looks
        nearest = tree.query(points)[1]
        depth = -np.einsum("ij,ij->i", points - vertices[nearest], normals[nearest])
        deep_looks = deep_looks + 1 if depth.max() >= EARLY_DEPTH_M else 0
        return deep_looks < DEEP_LOOKS

    return going_well


def _unfinished(progress: Callable[[int, int], None] | None
                ) -> Callable[[int, int], None] | None:
    """``progress`` held short of its end: an attempt's last frame need not be the drape's."""
    if progress is None:
        return None
    return lambda done, total: progress(min(done, total - 1), total)


def _document(setup: DrapeSetup, simulated, report: dict, simulation: dict, device: str,
              started: float) -> dict:
    """fit.json's document."""
    fitted = fit_map(simulated.positions, setup.mesh.uv, setup.mesh.faces,
                     setup.mesh.seam_pairs, *panel_masks(setup), setup.body)
    return {
        "schema": "tryon.fit",
        "schema_version": 2,  # 2: simulation
        "avatar_photo_sha256": (setup.avatar.get("source_photos") or [{}])[0].get("sha256"),
        "garment": setup.garment["garment"],
        "size": setup.garment["size"],
        "fabric": setup.garment["fabric"]["name"],
        "color": list(fabric_surface(setup.garment["fabric"]).color),
        **report,
        "simulation": simulation,
        "layers_under": [{"garment": layer.garment, "fabric": layer.fabric,
                          "color": list(layer.surface.color)} for layer in setup.layers],
        "simulated_steps": simulated.substeps,
        "wall_time_s": round(time.perf_counter() - started, 2),
        "device": device,
        **fitted.to_json(),
    }


def _write(out_dir: str | os.PathLike, setup: DrapeSetup, positions: np.ndarray,
           document: dict) -> None:
    out_dir = Path(out_dir)
    write_bytes_atomic(out_dir / "draped.glb", _draped_glb(setup, positions))
    write_json_atomic(out_dir / "fit.json", checked("fit.json", document))


def _draped_glb(setup: DrapeSetup, positions: np.ndarray) -> bytes:
    """draped.glb's bytes: the body, the garments under and this garment at ``positions``."""
    under, under_surfaces = glb_nodes(setup.layers)
    return glb_bytes({
        "body": (setup.body.vertices, setup.body.faces, None),
        **under,
        "garment": (positions, setup.mesh.faces, setup.mesh.uv),
    }, {"body": SKIN, **under_surfaces, "garment": fabric_surface(setup.garment["fabric"])})


def learned_preview(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
                    out_glb: str | os.PathLike) -> bool:
    """A draped.glb of the learned drape alone, for a picture in a second: no fit.json, no
    gates judged; False (nothing written) when no learned drape of the garment's kind
    ships."""
    setup = prepare_drape(avatar_path, garment_path)
    positions = learned_start(setup)
    if positions is None:
        return False
    write_bytes_atomic(out_glb, _draped_glb(setup, positions))
    return True


def panel_masks(setup: DrapeSetup) -> tuple[np.ndarray, np.ndarray]:
    """Each garment vertex's panel index (V,) and whether it is on a sleeve (V,) bool."""
    panel_of = np.zeros(len(setup.mesh.uv), dtype=np.int64)
    sleeves = np.zeros(len(setup.mesh.uv), dtype=bool)
    for index, (panel, (first, end)) in enumerate(zip(setup.mesh.panel_names,
                                                       setup.mesh.ranges)):
        panel_of[first:end] = index
        sleeves[first:end] = setup.pattern.panel(panel).placement.startswith("sleeve")
    return panel_of, sleeves
