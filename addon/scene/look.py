"""A look: a try-on's subject (a collection of body and garments) in a scene of its own with a
template's world, lights and one camera per view, Cycles settings, and its renders: one image
per view, or a turntable. The add-on's Render operators and the engine's render stage both
build their pictures here, so the two give the same picture.

Blender frame: Z-up, metres; the subject stands at the origin facing -Y.
"""
from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

VIEW_KEY = "tryon_view"  # custom property naming a camera's view
# how the body shows: skin; a matte one-colour form; or not at all (the invisible, or ghost,
# mannequin: hidden from camera rays and reflections, still casting its shadow, so the garment
# shows as worn, its inside seen through its openings)
BODY_STYLES = ("realistic", "mannequin", "invisible")
TURNTABLE = "turntable"


def templates() -> dict:
    """The scene templates: the copy bundled in the extension's zip, else the repository's."""
    try:
        from ..blend_templates import TEMPLATES
    except ImportError:
        from blend_templates import TEMPLATES
    return TEMPLATES


def subject_height(subject) -> float:
    """The top of the collection's meshes above the floor, metres (1.8 for an empty one)."""
    from mathutils import Vector

    tops = [(obj.matrix_world @ Vector(corner)).z for obj in subject.all_objects
            if obj.type == "MESH" for corner in obj.bound_box]
    return max(tops) if tops else 1.8


def wear(obj, material) -> None:
    """Give a mesh ``material`` as its only material, smooth shaded."""
    obj.data.materials.clear()
    obj.data.materials.append(material)
    obj.data.shade_smooth()


def style_body(obj, style: str) -> None:
    """Dress the body mesh ``obj`` for a ``BODY_STYLES`` picture."""
    from .materials import mannequin_material, skin_material

    wear(obj, mannequin_material() if style == "mannequin" else skin_material())
    hidden = style == "invisible"
    obj.visible_camera = obj.visible_glossy = obj.visible_transmission = not hidden
    obj.visible_diffuse = not hidden  # no skin-coloured light bounced into the garment
    obj.visible_shadow = True


def build_look(name: str, subject, template: str, views: list[str]):
    """A new scene ``name`` (replacing an earlier one with its lights and cameras) holding the
    ``subject`` collection and ``template``'s set for ``views``."""
    import bpy

    remove_look(name)
    scene = bpy.data.scenes.new(name)
    scene.collection.children.link(subject)
    cameras = templates()[template](bpy, scene, subject_height(subject), views)
    for view, camera in cameras.items():
        camera[VIEW_KEY] = view
    scene["tryon_template"] = template
    return scene


def remove_look(name: str) -> None:
    """Remove the look scene ``name`` and the objects only it holds (its subject stays)."""
    import bpy

    scene = bpy.data.scenes.get(name)
    if scene is None:
        return
    for obj in list(scene.collection.objects):
        bpy.data.objects.remove(obj)
    bpy.data.scenes.remove(scene)


# light paths of a studio picture of cloth on a body: no glass, no caustics, no deep bounces
# (make bench-render: the same noise as Cycles' defaults, not slower)
LIGHT_PATHS = {"max_bounces": 6, "diffuse_bounces": 3, "glossy_bounces": 2,
               "transmission_bounces": 2, "transparent_max_bounces": 4,
               "caustics_reflective": False, "caustics_refractive": False}


def configure_cycles(scene, samples: int, resolution: tuple[int, int], device: str,
                     threads: int = 0) -> str:
    """Cycles with OIDN (balanced quality) at ``samples`` (adaptive) and ``resolution`` (px),
    ``LIGHT_PATHS``; GPU (OptiX, else CUDA) when asked for (auto, cuda) and present;
    ``threads`` CPU threads (0: one per core). Returns the device used."""
    import bpy

    scene.render.engine = "CYCLES"
    scene.cycles.samples = samples
    scene.cycles.use_adaptive_sampling = True
    for name, value in LIGHT_PATHS.items():
        setattr(scene.cycles, name, value)
    scene.cycles.use_denoising = True
    scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.cycles.denoising_quality = "BALANCED"
    scene.render.resolution_x, scene.render.resolution_y = resolution
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.film_transparent = False
    scene.render.threads_mode = "FIXED" if threads else "AUTO"
    if threads:
        scene.render.threads = threads
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


def view_cameras(scene) -> dict[str, object]:
    """The look's cameras by view, in the order the template made them."""
    return {obj[VIEW_KEY]: obj for obj in scene.objects if obj.type == "CAMERA" and VIEW_KEY in obj}


def frame_views(scene) -> list[str]:
    """Make the look's frames its views: frame i is seen through the i-th view's camera (a
    timeline marker binds it), so one animation render renders every view. Returns the views."""
    cameras = view_cameras(scene)
    scene.timeline_markers.clear()
    for frame, (view, camera) in enumerate(cameras.items(), start=1):
        scene.timeline_markers.new(view, frame=frame).camera = camera
    scene.camera = next(iter(cameras.values()))
    scene.frame_start, scene.frame_end = 1, len(cameras)
    return list(cameras)


def add_turntable(scene, frames: int) -> None:
    """Turn the look's lights and its first camera once round the subject (about +Z through
    the origin) over ``frames`` frames, as if the subject turned on a turntable in the light;
    the other cameras are removed."""
    import bpy

    cameras = list(view_cameras(scene).values())
    for camera in cameras[1:]:
        bpy.data.objects.remove(camera)
    pivot = bpy.data.objects.new(TURNTABLE, None)
    scene.collection.objects.link(pivot)
    for obj in [cameras[0], *(o for o in scene.collection.objects if o.type == "LIGHT")]:
        obj.parent = pivot
    scene.timeline_markers.clear()
    scene.camera = cameras[0]
    scene.frame_start, scene.frame_end = 1, frames
    for frame, angle in ((1, 0.0), (frames + 1, 2.0 * math.pi)):  # frame N+1 would repeat 1
        pivot.rotation_euler.z = angle
        pivot.keyframe_insert("rotation_euler", index=2, frame=frame)
    for curve in _fcurves(pivot):
        for key in curve.keyframe_points:
            key.interpolation = "LINEAR"


def render_frames(scene, out_dir: str | os.PathLike, names: list[str] | None = None) -> list[Path]:
    """Render every frame of the look (synchronously) into ``out_dir``: as ``<name>.png`` in
    frame order, or ``0001.png``, ... when ``names`` is None. The images appear together when
    all are done. Returns them."""
    import bpy

    partial = start_frames(scene, out_dir)
    bpy.ops.render.render(animation=True, scene=scene.name)
    return finish_frames(partial, out_dir, names)


def start_frames(scene, out_dir: str | os.PathLike) -> Path:
    """Point the look's output at a fresh partial folder beside ``out_dir``; return it. An
    animation render of the scene then writes its frames there (``finish_frames`` moves them)."""
    out_dir = Path(out_dir)
    partial = out_dir.with_name(f".{out_dir.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    scene.render.filepath = str(partial / "####")
    scene.render.use_file_extension = True
    return partial


def finish_frames(partial: Path, out_dir: str | os.PathLike,
                  names: list[str] | None = None) -> list[Path]:
    """Name a finished render's frames and put them in ``out_dir`` (replacing its images)."""
    out_dir = Path(out_dir)
    frames = sorted(partial.glob("*.png"))
    if names is not None:
        for frame, name in zip(frames, names, strict=True):
            frame.rename(partial / f"{name}.png")
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.png"):
        old.unlink()
    images = []
    for image in sorted(partial.glob("*.png")):
        images.append(out_dir / image.name)
        os.replace(image, images[-1])
    shutil.rmtree(partial)
    return images


def _fcurves(obj):
    """The F-curves of an object's action (Blender 4.4+ keeps them in layered slots)."""
    action = obj.animation_data.action
    if hasattr(action, "fcurves") and len(action.fcurves):
        return action.fcurves
    channelbag = action.layers[0].strips[0].channelbag(obj.animation_data.action_slot)
    return channelbag.fcurves
