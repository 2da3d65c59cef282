"""pyrender's offscreen rendering (OpenGL through EGL; Mesa on the CPU), made to live beside other
renderers of the same process. pyrender ends a deleted renderer with eglTerminate, which
destroys every other renderer's context on the process's EGL display: their next render fails
with GL_INVALID_OPERATION (the tests' session-wide renderer did, once the garbage collector took
another renderer). ``Offscreen`` destroys only its own context when deleted, and makes its
context again, once, when a render finds it lost."""
from __future__ import annotations

import os

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")


class Offscreen:
    """An offscreen renderer of ``width`` x ``height`` px; ``render`` as pyrender's."""

    def __init__(self, width: int, height: int):
        self.size = (width, height)
        self.renderer = _renderer(width, height)

    def render(self, scene, flags=0):
        """pyrender's (colour, depth) of ``scene``; a context lost to another renderer's end is
        made again and the render repeated."""
        from OpenGL.error import GLError

        try:
            return self.renderer.render(scene, flags=flags)
        except GLError:
            self.renderer = _renderer(*self.size)
            return self.renderer.render(scene, flags=flags)

    def delete(self) -> None:
        """Free the context; one another renderer ended meanwhile is left as it is."""
        from OpenGL.error import GLError

        try:
            self.renderer.delete()
        except (GLError, AssertionError):
            pass


def _renderer(width: int, height: int):
    """A ``pyrender.OffscreenRenderer`` whose deletion leaves the EGL display to the others."""
    import pyrender

    renderer = pyrender.OffscreenRenderer(width, height)
    platform = renderer._platform

    def destroy_own_context() -> None:
        from OpenGL.EGL import eglDestroyContext

        if platform._egl_context is not None:
            eglDestroyContext(platform._egl_display, platform._egl_context)
            platform._egl_context = None

    platform.delete_context = destroy_own_context
    return renderer
