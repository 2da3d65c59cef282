"""Heavy work out of Blender's process: the engine-process runner of ``render_farm``
(``render_farm/engine_process.py``: one ``tryon`` command in the project's own Python, followed
through its JSON-lines progress), which ``build.py`` packs into the extension's zip beside this
module. Plain Python, no bpy: operators start a process and poll it from a timer, so Blender's
UI never waits on fitting or draping."""
try:
    from .engine_process import EngineError, EngineProcess  # inside the extension's zip
except ImportError:  # the repository, where the engine's own module is importable
    from render_farm.engine_process import EngineError, EngineProcess

__all__ = ["EngineError", "EngineProcess"]
