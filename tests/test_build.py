"""build.py writes the scene templates as .blend files that Blender opens with every camera,
and each renders in Cycles."""
import pytest

import build

pytestmark = pytest.mark.blender

LIGHTS = {"studio": {"key", "fill", "rim"}, "packshot": {"front_left", "front_right", "top"},
          "outdoor": {"sun"}, "neutral": set()}


def test_templates_written_as_blend_files_that_render(tmp_path):
    import bpy
    import numpy as np

    from blend_templates import TEMPLATES, VIEWS

    written = build.write_templates(tmp_path)
    assert sorted(p.stem for p in written) == sorted(TEMPLATES) == sorted(LIGHTS)
    for path in written:
        bpy.ops.wm.open_mainfile(filepath=str(path))
        objects, scene = bpy.data.objects, bpy.context.scene
        assert {f"camera_{view}" for view in VIEWS} <= set(objects.keys())
        assert {o.name for o in objects if o.type == "LIGHT"} == LIGHTS[path.stem]
        scene.camera = objects["camera_front"]
        scene.render.engine, scene.cycles.samples = "CYCLES", 1
        scene.render.resolution_x, scene.render.resolution_y = 48, 64
        scene.render.filepath = str(tmp_path / f"{path.stem}.png")
        bpy.ops.render.render(write_still=True)
        image = bpy.data.images.load(str(tmp_path / f"{path.stem}.png"))
        pixels = np.array(image.pixels[:]).reshape(-1, 4)[:, :3]
        assert pixels.mean() > 0.05, f"{path.stem} renders black"
    assert not list(tmp_path.glob("templates/.*")), "no partial files left behind"


def test_packshot_background_is_white_and_outdoor_has_a_sky(tmp_path):
    import bpy

    from blend_templates import TEMPLATES

    bpy.ops.wm.read_factory_settings(use_empty=True)
    TEMPLATES["packshot"](bpy, bpy.context.scene, 1.75, ["front"])
    assert tuple(bpy.context.scene.world.node_tree.nodes["Background"].inputs[0]
                 .default_value)[:3] == (1.0, 1.0, 1.0)
    assert bpy.data.objects["shadow_floor"].is_shadow_catcher
    bpy.ops.wm.read_factory_settings(use_empty=True)
    TEMPLATES["outdoor"](bpy, bpy.context.scene, 1.75, ["front"])
    assert any(n.type == "TEX_SKY" for n in bpy.context.scene.world.node_tree.nodes)
