"""Scene templates defined in code; ``build.py`` writes them out as .blend files.

Each template is a function ``build(bpy, subject_height_m, views) -> {view: camera}`` that adds
its world, backdrop, lights and one camera per view to the current scene (Z-up, metres).
"""
from blend_templates.studio import VIEWS, build_studio

TEMPLATES = {"studio": build_studio}

__all__ = ["TEMPLATES", "VIEWS"]
