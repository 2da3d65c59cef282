"""Try-On, the Blender extension (Blender 4.2 and later): a sidebar tab in the 3D view that
drives the fitting room. Heavy work (fitting, draping) never runs in Blender's process: the
project's own Python, the engine (``addon.engine``), runs it while a timer follows its
progress. ``addon.scene`` holds the bpy scene code the farm's render tasks use as well.

Importing this package imports no bpy; ``register`` loads the UI modules.
"""
from __future__ import annotations

import importlib

# registered in this order, unregistered in the reverse
UI_MODULES = ("preferences", "properties", "operators.check_engine", "operators.fit_avatar",
              "operators.drape_garment", "operators.show_fitmap", "ui.sidebar")


def register() -> None:
    for name in UI_MODULES:
        importlib.import_module(f".{name}", __package__).register()


def unregister() -> None:
    for name in reversed(UI_MODULES):
        importlib.import_module(f".{name}", __package__).unregister()
