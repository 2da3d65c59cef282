"""pyrender's offscreen renderer (OpenGL through EGL; Mesa on the CPU), safe to delete beside
others: pyrender ends a deleted renderer with eglTerminate, which destroys every other
renderer's context on the same EGL display of the process (their next render fails with
GL_INVALID_OPERATION, as the tests' session-wide renderer did after the garbage collector took a
storefront's preview renderer). A renderer made here destroys only its own context."""
from __future__ import annotations

import os

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")


def offscreen_renderer(width: int, height: int):
    """A ``pyrender.OffscreenRenderer`` of ``width`` x ``height`` px whose deletion leaves the
    process's EGL display to the other renderers."""
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
