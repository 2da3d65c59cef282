"""Engine tasks seen from Blender: an operator starts one and returns at once; a timer
(``poll``) then copies its stage and progress into the window manager's Try-On state (the
sidebar and the status bar show them) until it ends and hands it to the operator's
``on_done``. In background mode (no event loop to run timers) the task is waited for instead,
unless ``wait_in_background`` is turned off, and then whoever drives the loop calls ``poll``."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import bpy

from .engine import EngineProcess
from .preferences import preferences

POLL_S = 0.1
wait_in_background = True
_running: dict[str, tuple[EngineProcess, Callable[[EngineProcess], None]]] = {}


class EngineNotSet(ValueError):
    """The preferences do not say where the engine is."""


def start(context: bpy.types.Context, name: str, args: list[str],
          on_done: Callable[[EngineProcess], None]) -> EngineProcess:
    """Run ``tryon ARGS`` in the engine as the task ``name`` (one at a time per name)."""
    python = bpy.path.abspath(preferences(context).engine_python)
    if not python:
        raise EngineNotSet("set the engine's Python in the Try-On preferences")
    if name in _running:
        raise RuntimeError(f"{name} is already running")
    task = EngineProcess(python, args)
    _running[name] = (task, on_done)
    session = context.window_manager.tryon
    session.busy, session.stage, session.progress = True, task.stage, 0.0
    session.message, session.message_is_error = "", False
    if bpy.app.background and wait_in_background:
        while not task.finished:
            time.sleep(POLL_S)
        _finish(name)
    elif not bpy.app.timers.is_registered(poll):
        bpy.app.timers.register(poll, first_interval=POLL_S)
    return task


def poll() -> float | None:
    """Show the running tasks' stage and progress; hand each finished one to its ``on_done``.
    Returns when to be called again while tasks run (as a Blender timer does), else None."""
    session = bpy.context.window_manager.tryon
    for name, (task, _) in list(_running.items()):
        session.stage, session.progress = task.stage, 100.0 * task.fraction
        if task.finished:
            _finish(name)
    _redraw()
    return POLL_S if _running else None


def work_folder(context: bpy.types.Context) -> Path:
    """The scene's work folder as an absolute path (one relative to an unsaved .blend is the
    user's error)."""
    folder = context.scene.tryon.work_folder
    if folder.startswith("//") and not bpy.data.filepath:
        raise ValueError("save the .blend first, or choose a work folder that is not relative")
    return Path(bpy.path.abspath(folder))


def fitted_avatar(context: bpy.types.Context) -> Path | None:
    """The folder of the scene's fitted avatar, or None before a fit."""
    folder = context.scene.tryon.avatar_folder
    return Path(folder) if folder and (Path(folder) / "avatar.json").is_file() else None


def existing_file(path: str, what: str) -> str:
    """``path`` (Blender-relative or not) made absolute; a missing one is the user's error."""
    if not path:
        raise ValueError(f"choose a {what}")
    absolute = bpy.path.abspath(path)
    if not Path(absolute).is_file():
        raise ValueError(f"{what} not found: {absolute}")
    return absolute


def tell(task: EngineProcess, success: str) -> None:
    """Put how ``task`` ended in the session's message (the sidebar shows it)."""
    session = bpy.context.window_manager.tryon
    session.message = success if task.succeeded else task.error
    session.message_is_error = not task.succeeded


def background_error(context: bpy.types.Context) -> str | None:
    """In background mode, where tasks are waited for, how the operator's tasks failed (for
    the operator to report as Blender does); None otherwise."""
    session = context.window_manager.tryon
    waited = bpy.app.background and wait_in_background
    return session.message if waited and session.message_is_error else None


def shutdown() -> None:
    """Stop following tasks (the extension is being disabled): cancel them and remove the
    timer, which would otherwise outlive the extension's classes."""
    cancel_all()
    _running.clear()
    if bpy.app.timers.is_registered(poll):
        bpy.app.timers.unregister(poll)


def cancel_all() -> list[str]:
    """Cancel every running task (their operators hear that they failed); returns their names."""
    for task, _ in list(_running.values()):
        task.cancel()
    return list(_running)


def _finish(name: str) -> None:
    task, on_done = _running.pop(name)
    session = bpy.context.window_manager.tryon
    session.busy = bool(_running)
    session.progress = 100.0 if task.succeeded else session.progress
    on_done(task)
    _redraw()


def _redraw() -> None:
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            area.tag_redraw()
