"""pyrender's offscreen rendering (OpenGL through EGL; Mesa on the CPU), made to live beside other
renderers of the same process. pyrender ends a deleted renderer with eglTerminate, which
destroys every other renderer's context on the process's EGL display: their next render fails
with GL_INVALID_OPERATION (the tests' session-wide renderer did, once the garbage collector took
another renderer). ``Offscreen`` destroys only its own context when deleted, and makes its
context again before a render when it finds it lost."""
from __future__ import annotations

import os

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")


class Offscreen:
    """An offscreen renderer of ``width`` x ``height`` px; ``render`` as pyrender's."""

    def __init__(self, width: int, height: int):
        self.size = (width, height)
        self.renderer = _renderer(width, height)

    def render(self, scene, flags=0):
        """pyrender's (colour, depth) of ``scene``, on a context made again first if it was
        lost (its framebuffer gone: another renderer ended it)."""
        if self._lost():
            self.renderer = _renderer(*self.size)
        return self.renderer.render(scene, flags=flags)

    def _lost(self) -> bool:
        from OpenGL.GL import glIsFramebuffer
        from OpenGL.error import GLError

        framebuffer = self.renderer._renderer._main_fb
        if framebuffer is None:  # nothing rendered yet
            return False
        try:
            self.renderer._platform.make_current()
            return not glIsFramebuffer(framebuffer)
        except (GLError, AssertionError):
            return True

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
