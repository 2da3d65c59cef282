"""Scene templates defined in code; ``build.py`` writes them out as .blend files.

Each template is a function ``build(bpy, subject_height_m, views) -> {view: camera}`` that adds
its world, floor, lights and one camera per view to the current scene (Z-up, metres).
"""
from blend_templates.outdoor import build_outdoor
from blend_templates.packshot import build_packshot
from blend_templates.rig import VIEWS
from blend_templates.studio import build_studio

TEMPLATES = {"studio": build_studio, "packshot": build_packshot, "outdoor": build_outdoor}

__all__ = ["TEMPLATES", "VIEWS"]
