"""The render stage: a drape -> one PNG per view and render.json, with Blender's Cycles (the
engine's other stages, which need no Blender, are ``neural.stages``)."""
from __future__ import annotations

import os
from pathlib import Path

from neural.errors import DrapeFailed, InputError
from neural.files import staged_output_dir, write_json_atomic
from neural.stage_files import checked


def render_stage(draped: str | os.PathLike, out_dir: str | os.PathLike, views: list[str],
                 samples: int, resolution: tuple[int, int], template: str = "studio",
                 device: str = "auto", fitmap: str | None = None, threads: int = 0,
                 body: str = "realistic") -> dict:
    """draped.glb -> one PNG per view + render.json; ``fitmap`` (strain or ease) colours the
    garment by the drape's fit map instead of its fabric and draws the legend on each image;
    ``threads`` CPU threads for Cycles (0: one per core); ``body``: how the body shows
    (``BODY_STYLES``: realistic, mannequin, invisible). A drape that failed its simulation
    gates is refused (``DrapeFailed``): it is never pictured as a try-on."""
    import json

    from addon.scene.fitmap_scale import SCALES, draw_legend
    from addon.scene.look import BODY_STYLES
    from neural.drape.fit_metrics import drape_failure
    from render_farm.render_scene import render_draped
    from blend_templates import TEMPLATES, VIEWS

    draped = Path(draped)
    if draped.is_dir():
        draped = draped / "draped.glb"
    if not draped.is_file():
        raise InputError(f"draped file not found: {draped}")
    if template not in TEMPLATES:
        raise InputError(f"unknown template {template!r}: choose one of {', '.join(TEMPLATES)}")
    unknown = [v for v in views if v not in VIEWS]
    if unknown or not views:
        raise InputError(f"unknown view(s) {unknown}: choose from {', '.join(VIEWS)}")
    if samples < 1 or min(resolution) < 16 or max(resolution) > 8192:
        raise InputError("samples must be >= 1 and resolution between 16 and 8192 px")
    if body not in BODY_STYLES:
        raise InputError(f"unknown body style {body!r}: choose one of {', '.join(BODY_STYLES)}")
    if fitmap is not None and fitmap not in SCALES:
        raise InputError(f"unknown fit map {fitmap!r}: choose one of {', '.join(SCALES)}")
    fit_json = draped.with_name("fit.json")
    fit = json.loads(fit_json.read_text()) if fit_json.is_file() else {}
    failure = drape_failure(fit) if fit else None
    if failure:
        raise DrapeFailed(f"not rendered: the drape in {draped.parent} failed ({failure})")
    fabrics = {}
    if fit:
        from neural.drape.layers import UNDER
        from neural.materials import fabric_surface

        layers = {f"{UNDER}{i}": layer for i, layer in enumerate(fit.get("layers_under", []))}
        layers["garment"] = fit
        fabrics = {node: (layer["fabric"],
                          fabric_surface({"name": layer["fabric"]}, layer.get("color")).color)
                   for node, layer in layers.items()}
    garment_colors = None
    if fitmap is not None:
        if "fit_map" not in fit:
            raise InputError(f"--fitmap needs the drape's fit.json with a fit map beside {draped}")
        garment_colors = SCALES[fitmap].colors(fit["fit_map"][SCALES[fitmap].key])
    with staged_output_dir(out_dir) as stage:
        document = render_draped(draped, stage, views, samples, resolution, template, fabrics,
                                 device, garment_colors, threads, body)
        if fitmap is not None:
            for image in document["images"]:
                draw_legend(stage / image, SCALES[fitmap])
            document["fitmap"] = fitmap
        write_json_atomic(stage / "render.json", checked("render.json", document))
        return document


def failed_drape(draped: str | os.PathLike) -> str | None:
    """Why the drape (its folder or draped.glb) must not be shown, from the fit.json beside it;
    None when it may be (or has no fit.json)."""
    import json

    from neural.drape.fit_metrics import drape_failure

    draped = Path(draped)
    fit_json = (draped if draped.is_dir() else draped.parent) / "fit.json"
    return drape_failure(json.loads(fit_json.read_text())) if fit_json.is_file() else None


def record_not_rendered(out_dir: str | os.PathLike, reason: str) -> None:
    """A job's render folder for a drape that must not be shown: not_rendered.json with the
    reason instead of pictures (the job goes on; its contact sheet and the storefront say
    why)."""
    document = {"schema": "tryon.not_rendered", "schema_version": 1, "reason": reason}
    with staged_output_dir(out_dir) as stage:
        write_json_atomic(stage / "not_rendered.json", checked("not_rendered.json", document))
