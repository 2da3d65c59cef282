"""How the body shows in a render (``tryon render --body``): the invisible (ghost) mannequin
leaves no body pixel in the image (Cycles' object-index pass of the very scene the render stage
built) and shows the inside of the t-shirt's back through its neck opening; the mannequin is
one matte colour, not skin."""
import json

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.blender

RESOLUTION = (128, 192)


def _render_with_masks(drape_dir, out, body: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The render stage's front picture in ``body`` style, and the masks of the body and the
    garment in it: the look rendered again with the object-index pass, each object's index
    matte (not anti-aliased) in its own channel."""
    import bpy

    from render_farm.render_stage import render_stage

    render_stage(drape_dir, out, ["front"], 4, RESOLUTION, "studio", "cpu", body=body)
    picture = np.asarray(Image.open(out / "front.png").convert("RGB"), dtype=float)
    scene = bpy.data.scenes["look"]
    objects = {"body": bpy.data.objects["body"], "garment": bpy.data.objects["garment"]}
    for index, obj in enumerate(objects.values(), start=1):
        obj.pass_index = index
    scene.view_layers[0].use_pass_object_index = True
    scene.view_settings.view_transform = "Standard"
    scene.use_nodes = True
    tree = scene.node_tree
    tree.nodes.clear()
    layers = tree.nodes.new("CompositorNodeRLayers")
    layers.scene = scene
    channels = tree.nodes.new("CompositorNodeCombineColor")
    for index, channel in enumerate(("Red", "Green"), start=1):
        matte = tree.nodes.new("CompositorNodeIDMask")
        matte.index = index
        tree.links.new(layers.outputs["IndexOB"], matte.inputs["ID value"])
        tree.links.new(matte.outputs["Alpha"], channels.inputs[channel])
    tree.links.new(channels.outputs["Image"], tree.nodes.new("CompositorNodeComposite")
                   .inputs["Image"])
    scene.frame_set(1)
    scene.render.filepath = str(out / "objects.png")
    bpy.ops.render.render(write_still=True, scene=scene.name)
    masks = np.asarray(Image.open(out / "objects.png").convert("RGB"))
    return picture, {"body": masks[..., 0] > 127, "garment": masks[..., 1] > 127}


def test_the_invisible_mannequin_shows_no_body_and_the_inner_back_neck(drape_dir, tmp_path):
    worn, seen = _render_with_masks(drape_dir, tmp_path / "realistic", "realistic")
    ghost, hidden = _render_with_masks(drape_dir, tmp_path / "invisible", "invisible")
    assert seen["body"].sum() > 500 and seen["garment"].sum() > 300  # the masks work
    assert not hidden["body"].any()  # no ray from the camera ever reaches the body
    assert json.loads((tmp_path / "invisible" / "render.json").read_text())["body"] == "invisible"
    # where the worn picture shows the body inside the garment's outline (the neck opening),
    # the ghost shows the garment: its inside back
    rows, cols = np.nonzero(seen["garment"])
    neck = np.zeros_like(seen["body"])
    top = rows.min()
    neck[top:top + (rows.max() - top) // 4, cols.min():cols.max() + 1] = True
    inside = neck & seen["body"] & hidden["garment"]
    assert inside.sum() >= 8, inside.sum()
    assert np.abs(ghost - worn)[seen["body"]].mean() > 20  # the body's pixels changed


def test_the_mannequin_is_one_matte_colour(drape_dir, tmp_path):
    skin, seen = _render_with_masks(drape_dir, tmp_path / "realistic", "realistic")
    form, _ = _render_with_masks(drape_dir, tmp_path / "mannequin", "mannequin")
    body = seen["body"]
    warmth = {name: picture[body].mean(0)[0] - picture[body].mean(0)[2]  # red - blue
              for name, picture in (("skin", skin), ("form", form))}
    assert warmth["skin"] > 12 and abs(warmth["form"]) < 5, warmth  # skin is warm, the form grey
