"""Offscreen renderers of ``neural.gl_offscreen`` live beside others: deleting one leaves the
others working, and one whose context another renderer ended (pyrender's own deletion
terminates the process's EGL display) makes it again."""
import gc

import numpy as np

from neural.gl_offscreen import Offscreen


def _box_scene():
    import pyrender
    import trimesh

    scene = pyrender.Scene(ambient_light=[1.0, 1.0, 1.0])
    scene.add(pyrender.Mesh.from_trimesh(trimesh.creation.box()))
    scene.add(pyrender.PerspectiveCamera(yfov=1.0), pose=np.array(
        [[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 3.0], [0, 0, 0, 1.0]]))
    return scene


def test_a_renderer_keeps_working_after_another_is_deleted():
    import pyrender

    kept = Offscreen(64, 64)
    before, _ = kept.render(_box_scene())
    first = kept.renderer
    other = Offscreen(32, 32)
    other.render(_box_scene())
    del other
    gc.collect()
    after, _ = kept.render(_box_scene())
    assert np.array_equal(before, after) and before.std() > 0
    assert kept.renderer is first  # its context was never lost
    plain = pyrender.OffscreenRenderer(32, 32)  # pyrender's own: ends the display when deleted
    plain.render(_box_scene())
    del plain
    gc.collect()
    again, _ = kept.render(_box_scene())
    assert np.array_equal(before, again) and kept.renderer is not first  # made again
    kept.delete()
