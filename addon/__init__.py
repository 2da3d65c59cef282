"""Try-On, the Blender extension (Blender 4.2 and later): a sidebar tab in the 3D view that
drives the fitting room. Heavy work (fitting, draping, size advice, lookbooks) never runs in
Blender's process: the project's own Python, the engine (``addon.engine``), runs it while a
timer follows its progress. Renders of a look are Blender's own render jobs. ``addon.scene``
holds the bpy scene code the engine's render stage uses as well.

Importing this package imports no bpy; ``register`` loads the UI modules.
"""
from __future__ import annotations

import importlib
import sys

# registered in this order, unregistered in the reverse
UI_MODULES = ("preferences", "properties", "operators.check_engine", "operators.fit_avatar",
              "operators.drape_garment", "operators.advise_size", "operators.show_fitmap",
              "operators.apply_fabric", "operators.render_look", "operators.render_turntable",
              "operators.run_lookbook", "operators.cancel_task", "ui.sidebar")


def register() -> None:
    for name in UI_MODULES:
        importlib.import_module(f".{name}", __package__).register()


def unregister() -> None:
    jobs = sys.modules.get(f"{__package__}.jobs")
    if jobs is not None:  # loaded by the operators
        jobs.shutdown()
    for name in reversed(UI_MODULES):
        importlib.import_module(f".{name}", __package__).unregister()
