"""Render a draped.glb with Cycles through bpy: import, materials, template, one PNG per view.

The GLB is glTF's frame (Y-up); Blender's importer turns it Z-up, metres.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from .materials import fabric_material, fitmap_material, point_colors, skin_material
from .quiet import blender_output_silenced

DEFAULT_FABRIC = (0.85, 0.25, 0.2)  # linear RGB


def render_draped(draped_glb: str | os.PathLike, out_dir: str | os.PathLike, views: list[str],
                  samples: int, resolution: tuple[int, int], template: str = "studio",
                  fabric_colors: dict[str, tuple[float, float, float]] | None = None,
                  device: str = "cpu", garment_colors: np.ndarray | None = None) -> dict:
    """Render each view to ``<out_dir>/<view>.png``; return render.json's content.

    ``fabric_colors``: linear RGB by garment node (``garment``, ``garment_under_<i>``; red for
    any not given). ``garment_colors`` (V, 3) linear RGB per vertex of ``garment`` (a fit map)
    replace its fabric, under the Standard view transform so that they match their legend."""
    import bpy

    from blend_templates import TEMPLATES

    bpy.ops.wm.read_factory_settings(use_empty=True)
    with blender_output_silenced():
        bpy.ops.import_scene.gltf(filepath=str(draped_glb))
    meshes = [o for o in bpy.context.scene.objects if o.type == "MESH"]
    height = max(v[2] for o in meshes for v in o.bound_box) if meshes else 1.8
    for obj in meshes:
        obj.data.materials.clear()
        if not obj.name.startswith("garment"):
            material = skin_material()
        elif obj.name == "garment" and garment_colors is not None:
            material = fitmap_material(_add_point_colors(obj.data, garment_colors))
        else:
            material = fabric_material((fabric_colors or {}).get(obj.name, DEFAULT_FABRIC))
        obj.data.materials.append(material)
        for polygon in obj.data.polygons:
            polygon.use_smooth = True
    cameras = TEMPLATES[template](bpy, height, views)
    used_device = _configure_cycles(bpy.context.scene, samples, resolution, device)
    if garment_colors is not None:
        bpy.context.scene.view_settings.view_transform = "Standard"
    timings = {}
    out_dir = Path(out_dir)
    for view, camera in cameras.items():
        bpy.context.scene.camera = camera
        target = out_dir / f"{view}.png"
        temporary = out_dir / f".{view}.rendering.png"
        bpy.context.scene.render.filepath = str(temporary)
        started = time.perf_counter()
        with blender_output_silenced():
            bpy.ops.render.render(write_still=True)
        timings[view] = round(time.perf_counter() - started, 2)
        os.replace(temporary, target)
    return {"schema": "tryon.render", "schema_version": 1, "engine": "CYCLES",
            "template": template, "samples": samples, "resolution": list(resolution),
            "denoiser": "OPENIMAGEDENOISE", "device": used_device, "views": views,
            "seconds_per_view": timings, "images": [f"{v}.png" for v in views]}


def _add_point_colors(mesh, colors: np.ndarray) -> str:
    """``point_colors`` for a fit map, which must be of this very drape."""
    from neural.errors import InputError

    if len(mesh.vertices) != len(colors):
        raise InputError(f"fit map has {len(colors)} values but the garment {len(mesh.vertices)} "
                         "vertices: fit.json and draped.glb are from different drapes")
    return point_colors(mesh, colors)


def _configure_cycles(scene, samples: int, resolution: tuple[int, int], device: str) -> str:
    """Cycles with OIDN; GPU (OptiX, else CUDA) when asked for and present. Returns the device."""
    import bpy

    scene.render.engine = "CYCLES"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = True
    scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.render.resolution_x, scene.render.resolution_y = resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.film_transparent = False
    scene.cycles.device = "CPU"
    if device in ("auto", "cuda"):
        prefs = bpy.context.preferences.addons["cycles"].preferences
        for backend in ("OPTIX", "CUDA"):
            try:
                prefs.compute_device_type = backend
                prefs.get_devices()
            except TypeError:
                continue
            gpus = [d for d in prefs.devices if d.type == backend]
            if gpus:
                for gpu in gpus:
                    gpu.use = True
                scene.cycles.device = "GPU"
                return backend
    return "CPU"
