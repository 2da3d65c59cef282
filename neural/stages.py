"""The engine's bpy-free stages, one function each: fit (photos + height -> avatar), garment
(kind + size or an import -> garment), drape (avatar + garment -> draped garment and its fit)
and size (avatar + garment kind -> size advice). Each writes its files into a folder all at
once or not at all; the render stage, which needs Blender, is ``render_farm.render_stage``."""
from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Callable

from neural.errors import InputError
from neural.files import staged_output_dir, write_json_atomic
from neural.materials import Color

Progress = Callable[[int, int], None] | None
MIN_HEIGHT_CM, MAX_HEIGHT_CM = 100.0, 230.0


def fit_stage(photo: str | os.PathLike, height_cm: float, out_dir: str | os.PathLike,
              device: str = "auto", progress: Progress = None,
              side_photo: str | os.PathLike | None = None, shape_network: bool = True) -> dict:
    """Front photo (+ optional side photo) + height -> avatar.json, avatar.glb.

    ``shape_network=False`` starts the fit from the mean body (optimisation alone).
    """
    from neural.photo.person_detector import load_photo, open_detector

    check_height(height_cm)
    front_rgb, front_sha256 = load_photo(photo)
    side_loaded = load_photo(side_photo) if side_photo is not None else None
    with open_detector() as detector:  # the models load once the photos have decoded
        front = detector.observe(front_rgb, str(photo), front_sha256)
        side = detector.observe(side_loaded[0], str(side_photo),
                                side_loaded[1]) if side_loaded else None
    return fit_observed(front, side, height_cm, out_dir, device, progress, shape_network,
                        str(side_photo))


def fit_uploaded(photos: dict[str, bytes], height_cm: float, out_dir: str | os.PathLike,
                 device: str = "auto", progress: Progress = None) -> dict:
    """``fit_stage`` from uploaded photos held in memory (``photos``: "front", optionally
    "side", the files' bytes), never written anywhere -> avatar.json, avatar.glb."""
    from neural.photo.person_detector import decode_photo, open_detector

    check_height(height_cm)
    seen = {}
    with open_detector() as detector:
        for name, payload in photos.items():
            rgb, digest = decode_photo(payload, f"the {name} photo")
            seen[name] = detector.observe(rgb, f"the {name} photo", digest)
    photos.clear()
    return fit_observed(seen["front"], seen.get("side"), height_cm, out_dir, device, progress)


def check_height(height_cm: float) -> None:
    if not MIN_HEIGHT_CM <= height_cm <= MAX_HEIGHT_CM:
        raise InputError(f"height {height_cm:g} cm is outside {MIN_HEIGHT_CM:g}-{MAX_HEIGHT_CM:g} cm")


def fit_observed(front, side, height_cm: float, out_dir: str | os.PathLike,
                 device: str = "auto", progress: Progress = None,
                 shape_network: bool = True, side_name: str = "the side photo") -> dict:
    """``fit_stage`` from the photos' observations (``PersonDetector.observe``: photos held
    in memory, as the storefront's uploads are) -> avatar.json, avatar.glb; ``side_name``
    names the side photo in errors."""
    from neural.device import resolve_device
    from neural.fitting.avatar_file import write_avatar
    from neural.fitting.fit_body import ShapeInit, fit_body
    from neural.photo.signature import require_same_person
    from neural.shape_net.predict import predict_shape

    check_height(height_cm)
    device = resolve_device(device)
    if side is not None:
        require_same_person(front.signature, side.signature, side_name)
    started = time.perf_counter()
    guess = predict_shape(front, height_cm, side, device) if shape_network else None
    init = ShapeInit(guess["phenotypes"], guess["local_changes"],
                     measurements_cm=guess["measurements_cm"],
                     measurement_errors_cm=guess["measurement_errors_cm"]) if guess else None
    network_seconds = round(time.perf_counter() - started, 3) if guess else 0.0
    result = dataclasses.replace(
        fit_body(front, height_cm, device, progress=progress, side=side, init=init),
        network_seconds=network_seconds)
    with staged_output_dir(out_dir) as stage:
        return write_avatar(stage, result, height_cm, {"front": front, "side": side})


def garment_stage(kind: str, size: str, fabric: str, out_dir: str | os.PathLike,
                  color: Color | None = None) -> dict:
    """Garment kind + size + fabric (in ``color``, linear RGB; default the fabric's own) ->
    garment.json, garment.glb."""
    from neural.garments.garment_file import build_garment, write_garment
    from neural.materials import check_color

    build_garment(kind, size, fabric)  # validates before anything is written
    color = None if color is None else check_color(color)
    with staged_output_dir(out_dir) as stage:
        return write_garment(stage, kind, size, fabric, color=color)


def remake_garment(kind: str, size: str, fabric: str, out_dir: str | os.PathLike,
                   color: Color | None = None) -> bool:
    """``garment_stage`` into a folder that may hold an earlier garment; True where the garment
    made now differs from that one (or there was none): drapes of the earlier one are stale.
    Making a garment is deterministic and takes milliseconds."""
    garment_json = Path(out_dir) / "garment.json"
    before = garment_json.read_bytes() if garment_json.is_file() else None
    garment_stage(kind, size, fabric, out_dir, color)
    return garment_json.read_bytes() != before


def pattern_garment_stage(pattern_file: str | os.PathLike, fabric: str,
                          out_dir: str | os.PathLike, color: Color | None = None) -> dict:
    """A GarmentCode / Garment-Pattern-Generator specification + fabric -> garment.json, .glb."""
    from neural.garments.spec_import import read_pattern_spec

    return _imported_garment(read_pattern_spec(pattern_file), fabric, out_dir, color)


def mesh_garment_stage(mesh_file: str | os.PathLike, fabric: str, out_dir: str | os.PathLike,
                       up: str = "y", metres_per_unit: float | None = None,
                       color: Color | None = None) -> dict:
    """A mesh whose UV islands are pattern panels (garment CAD export) + fabric ->
    garment.json, garment.glb."""
    from neural.garments.mesh_import import read_pattern_mesh

    return _imported_garment(read_pattern_mesh(mesh_file, up, metres_per_unit), fabric, out_dir,
                             color)


def _imported_garment(pattern, fabric: str, out_dir: str | os.PathLike,
                      color: Color | None) -> dict:
    from neural.garments.fabrics import fabric as fabric_parameters
    from neural.garments.garment_file import write_pattern_garment
    from neural.materials import check_color

    fabric_parameters(fabric)  # validates before anything is written
    color = None if color is None else check_color(color)
    with staged_output_dir(out_dir) as stage:
        return write_pattern_garment(stage, pattern, fabric, color=color)


def drape_stage(avatar: str | os.PathLike, garment: str | os.PathLike,
                out_dir: str | os.PathLike, device: str = "auto", progress: Progress = None,
                over: str | os.PathLike | None = None, keep_failed: bool = False,
                learned: bool = False) -> dict:
    """avatar + garment (+ a finished drape to wear it over) -> draped.glb, fit.json. A drape
    that fails its simulation gates raises ``DrapeFailed`` and writes nothing, unless
    ``keep_failed`` (then fit.json's ``simulation`` says why); nothing is draped over a drape
    that failed (``DrapeFailed``). ``learned``: the learned drape alone, no simulation, written
    even when it fails a gate (a preview; fit.json says so)."""
    import json

    from neural.device import resolve_device
    from neural.drape.drape_garment import drape, learned_drape_files
    from neural.drape.fit_metrics import drape_failure
    from neural.errors import DrapeFailed

    under = Path(over) / "fit.json" if over is not None else None
    failure = drape_failure(json.loads(under.read_text())) if under and under.is_file() else None
    if failure:
        raise DrapeFailed(f"the drape in {over} failed ({failure}): nothing is draped over it")
    device = resolve_device(device)
    with staged_output_dir(out_dir) as stage:
        if learned:
            return learned_drape_files(avatar, garment, stage, over, device)
        return drape(avatar, garment, stage, device, progress=progress, over=over,
                     keep_failed=keep_failed)


def size_stage(avatar: str | os.PathLike, kind: str, fabric: str, out_dir: str | os.PathLike,
               device: str = "auto", progress_for: Callable[[str], Progress] | None = None
               ) -> dict:
    """avatar + built-in garment -> size_advice.json: drapes sizes, starting from the one the
    size chart gives for the avatar's measurements, until the smallest size that is not tight
    is found, all in the length the chart gives (trousers, jeans; else ``length`` is None).
    Each tried size keeps its garment/ and drape/ folders under ``out_dir/<size>``; a re-run
    reuses a drape while its garment and the fit map's version are unchanged.
    ``progress_for(size)`` gives each drape's progress callback."""
    import json

    from neural.drape.fit_map import FIT_MAP_VERSION
    from neural.drape.size_advice import advise, judge, next_size
    from neural.fitting.avatar_file import read_avatar
    from neural.garments.fabrics import fabric as fabric_parameters
    from neural.garments.garment_file import SIZE_CHARTS, require_built_in
    from neural.garments.size_charts import fitted_size, split_length, with_length

    require_built_in(kind)
    fabric_parameters(fabric)
    chart = SIZE_CHARTS[kind]
    # every size is draped in the length the chart gives the avatar
    avatar_doc = read_avatar(avatar)[0]
    first, length = split_length(fitted_size(chart, avatar_doc["measurements"]))
    out_dir, judged, size = Path(out_dir), {}, first
    while size is not None:
        fit_json = out_dir / size / "drape" / "fit.json"
        changed = remake_garment(kind, with_length(size, length), fabric, out_dir / size / "garment")
        fit = json.loads(fit_json.read_text()) if fit_json.is_file() else {}
        if changed or fit.get("fit_map_version") != FIT_MAP_VERSION:
            fit = drape_stage(avatar, out_dir / size / "garment", out_dir / size / "drape", device,
                              progress_for(size) if progress_for else None, keep_failed=True)
        judged[size] = judge(fit["regions"], chart, size)
        size = next_size(chart, judged)
    advice = {"schema": "tryon.size_advice", "schema_version": 1, "garment": kind,
              "fabric": fabric, "chart_size": first,
              **advise(chart, judged, length, avatar_doc)}
    write_json_atomic(out_dir / "size_advice.json", advice)
    return advice
