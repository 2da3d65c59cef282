"""Renders of a look from the UI: Blender's own render job (its progress in the status bar,
Esc cancels it) with the images put in place when it completes; in background mode (no event
loop) the render runs to the end before the call returns."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import bpy

from .scene.look import finish_frames, render_frames, start_frames

_handlers: list[tuple[list, Callable]] = []


def render(scene: bpy.types.Scene, out_dir: Path, names: list[str] | None,
           on_done: Callable[[list[Path]], None]) -> None:
    """Render every frame of the look ``scene`` into ``out_dir`` (see ``look.render_frames``)
    and hand the images to ``on_done``; nothing is handed on, and nothing written, when the
    user cancels."""
    if bpy.app.background:
        on_done(render_frames(scene, out_dir, names))
        return
    if _handlers:
        raise ValueError("a Try-On render is already running")
    partial = start_frames(scene, out_dir)

    def completed(*_args) -> None:
        _forget()
        bpy.app.timers.register(lambda: on_done(finish_frames(partial, out_dir, names)))

    def cancelled(*_args) -> None:
        _forget()
        shutil.rmtree(partial, ignore_errors=True)

    for handlers, handler in ((bpy.app.handlers.render_complete, completed),
                              (bpy.app.handlers.render_cancel, cancelled)):
        handlers.append(handler)
        _handlers.append((handlers, handler))
    bpy.ops.render.render("INVOKE_DEFAULT", animation=True, scene=scene.name)


def show(images: list[Path]) -> list[bpy.types.Image]:
    """Load (or reload) rendered images into the .blend so the Image Editor shows them."""
    loaded = []
    for path in images:
        image = bpy.data.images.load(str(path), check_existing=True)
        image.reload()
        loaded.append(image)
    return loaded


def _forget() -> None:
    while _handlers:
        handlers, handler = _handlers.pop()
        if handler in handlers:
            handlers.remove(handler)
