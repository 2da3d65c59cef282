"""Offscreen renderers made by ``neural.gl_offscreen`` can be deleted beside others: pyrender's
own deletion terminates the process's EGL display, after which every other renderer fails (the
tests' session-wide renderer did, once the garbage collector took a storefront's preview)."""
import gc

import numpy as np

from neural.gl_offscreen import offscreen_renderer


def _box_scene():
    import pyrender
    import trimesh

    scene = pyrender.Scene(ambient_light=[1.0, 1.0, 1.0])
    scene.add(pyrender.Mesh.from_trimesh(trimesh.creation.box()))
    scene.add(pyrender.PerspectiveCamera(yfov=1.0), pose=np.array(
        [[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 3.0], [0, 0, 0, 1.0]]))
    return scene


def test_a_renderer_keeps_working_after_another_is_deleted():
    kept = offscreen_renderer(64, 64)
    before, _ = kept.render(_box_scene())
    other = offscreen_renderer(32, 32)
    other.render(_box_scene())
    del other
    gc.collect()
    after, _ = kept.render(_box_scene())
    assert np.array_equal(before, after) and before.std() > 0
    kept.delete()
