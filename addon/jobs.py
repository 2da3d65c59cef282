"""Engine tasks seen from Blender: an operator starts one and returns at once; a timer then
copies its stage and progress into the window manager's Try-On state (the sidebar and the
status bar show them) until it ends and hands it to the operator's ``on_done``. In background
mode (no event loop to run timers) the task is waited for instead."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import bpy

from .engine import EngineTask
from .preferences import preferences

POLL_S = 0.1
_running: dict[str, EngineTask] = {}


class EngineNotSet(ValueError):
    """The preferences do not say where the engine is."""


def start(context: bpy.types.Context, name: str, args: list[str],
          on_done: Callable[[EngineTask], None]) -> EngineTask:
    """Run ``tryon ARGS`` in the engine as the task ``name`` (one at a time per name)."""
    python = bpy.path.abspath(preferences(context).engine_python)
    if not python:
        raise EngineNotSet("set the engine's Python in the Try-On preferences")
    if name in _running:
        raise RuntimeError(f"{name} is already running")
    task = EngineTask(python, args)
    _running[name] = task
    session = context.window_manager.tryon
    session.busy, session.stage, session.progress = True, task.stage, 0.0
    session.message, session.message_is_error = "", False
    if bpy.app.background:
        while not task.finished:
            time.sleep(POLL_S)
        _finish(name, on_done)
    else:
        bpy.app.timers.register(lambda: _poll(name, on_done), first_interval=POLL_S)
    return task


def work_folder(context: bpy.types.Context) -> Path:
    """The scene's work folder as an absolute path (one relative to an unsaved .blend is the
    user's error)."""
    folder = context.scene.tryon.work_folder
    if folder.startswith("//") and not bpy.data.filepath:
        raise ValueError("save the .blend first, or choose a work folder that is not relative")
    return Path(bpy.path.abspath(folder))


def existing_file(path: str, what: str) -> str:
    """``path`` (Blender-relative or not) made absolute; a missing one is the user's error."""
    if not path:
        raise ValueError(f"choose a {what}")
    absolute = bpy.path.abspath(path)
    if not Path(absolute).is_file():
        raise ValueError(f"{what} not found: {absolute}")
    return absolute


def tell(task: EngineTask, success: str) -> None:
    """Put how ``task`` ended in the session's message (the sidebar shows it)."""
    session = bpy.context.window_manager.tryon
    session.message = success if task.succeeded else task.error
    session.message_is_error = not task.succeeded


def background_error(context: bpy.types.Context) -> str | None:
    """In background mode, where tasks are waited for, how the operator's tasks failed (for
    the operator to report as Blender does); None otherwise."""
    session = context.window_manager.tryon
    return session.message if bpy.app.background and session.message_is_error else None


def cancel(name: str) -> bool:
    """Cancel the task ``name``; False when none runs."""
    task = _running.get(name)
    if task is None:
        return False
    task.cancel()
    return True


def _poll(name: str, on_done: Callable[[EngineTask], None]) -> float | None:
    task = _running[name]
    session = bpy.context.window_manager.tryon
    session.stage, session.progress = task.stage, 100.0 * task.fraction
    _redraw()
    if not task.finished:
        return POLL_S
    _finish(name, on_done)
    return None


def _finish(name: str, on_done: Callable[[EngineTask], None]) -> None:
    task = _running.pop(name)
    session = bpy.context.window_manager.tryon
    session.busy = bool(_running)
    session.progress = 100.0 if task.succeeded else session.progress
    on_done(task)
    _redraw()


def _redraw() -> None:
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            area.tag_redraw()
