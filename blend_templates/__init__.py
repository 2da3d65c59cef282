"""Scene templates defined in code; ``build.py`` writes them out as .blend files.

Each template is a function ``build(bpy, scene, subject_height_m, views) -> {view: camera}`` that
adds its world, floor, lights and one camera per view to ``scene`` (Z-up, metres).
"""
from .neutral import build_neutral
from .outdoor import build_outdoor
from .packshot import build_packshot
from .rig import VIEWS
from .studio import build_studio

TEMPLATES = {"studio": build_studio, "packshot": build_packshot, "outdoor": build_outdoor,
             "neutral": build_neutral}

__all__ = ["TEMPLATES", "VIEWS"]
