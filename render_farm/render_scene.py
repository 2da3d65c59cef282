"""Render a draped.glb with Cycles through bpy: import, materials, a look, one PNG per view.

The GLB is glTF's frame (Y-up); Blender's importer turns it Z-up, metres.
"""
from __future__ import annotations

import os
import time

import numpy as np

from addon.catalog import FABRIC_COLORS
from addon.scene.look import (build_look, configure_cycles, frame_views, render_frames,
                              style_body, wear)
from addon.scene.materials import fabric_material, fitmap_material, point_colors
from addon.scene.quiet import blender_output_silenced

DEFAULT_FABRIC = ("cotton", FABRIC_COLORS["cotton"])  # look, linear RGB


def render_draped(draped_glb: str | os.PathLike, out_dir: str | os.PathLike, views: list[str],
                  samples: int, resolution: tuple[int, int], template: str = "studio",
                  fabrics: dict[str, tuple[str, tuple[float, float, float]]] | None = None,
                  device: str = "cpu", garment_colors: np.ndarray | None = None,
                  threads: int = 0, body: str = "realistic") -> dict:
    """Render each view to ``<out_dir>/<view>.png`` (``threads`` CPU threads, 0: one per core)
    with the body in ``body`` style (``addon.scene.look.BODY_STYLES``); return render.json's
    content.

    ``fabrics``: (fabric look, linear RGB) by garment node (``garment``, ``garment_under_<i>``;
    red cotton for any not given). ``garment_colors`` (V, 3) linear RGB per vertex of
    ``garment`` (a fit map) replace its fabric, under the Standard view transform so that they
    match their legend."""
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    subject = bpy.data.collections.new("subject")
    with blender_output_silenced():
        bpy.ops.import_scene.gltf(filepath=str(draped_glb))
    for obj in list(bpy.context.scene.objects):
        bpy.context.scene.collection.objects.unlink(obj)
        subject.objects.link(obj)
        if obj.type != "MESH":
            continue
        if not obj.name.startswith("garment"):
            style_body(obj, body)
            continue
        if obj.name == "garment" and garment_colors is not None:
            material = fitmap_material(_add_point_colors(obj.data, garment_colors))
        else:
            material = fabric_material(*(fabrics or {}).get(obj.name, DEFAULT_FABRIC))
        wear(obj, material)
    scene = build_look("look", subject, template, views)
    used_device = configure_cycles(scene, samples, resolution, device, threads)
    if garment_colors is not None:
        scene.view_settings.view_transform = "Standard"
    names = frame_views(scene)
    started = time.perf_counter()
    with blender_output_silenced():
        render_frames(scene, out_dir, names)
    seconds = (time.perf_counter() - started) / len(names)
    return {"schema": "tryon.render", "schema_version": 2, "engine": "CYCLES",
            "template": template, "body": body, "samples": samples, "resolution": list(resolution),
            "denoiser": "OPENIMAGEDENOISE", "device": used_device, "views": names,
            "seconds_per_image": round(seconds, 2), "images": [f"{v}.png" for v in names]}


def _add_point_colors(mesh, colors: np.ndarray) -> str:
    """``point_colors`` for a fit map, which must be of this very drape."""
    from neural.errors import InputError

    if len(mesh.vertices) != len(colors):
        raise InputError(f"fit map has {len(colors)} values but the garment {len(mesh.vertices)} "
                         "vertices: fit.json and draped.glb are from different drapes")
    return point_colors(mesh, colors)
