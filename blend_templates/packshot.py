"""The "packshot" template, for e-commerce: a pure white background (seen by the camera only;
the subject is lit by a dimmer white ambient so that light clothes keep their shading), the
subject's shadow on an invisible floor (a shadow catcher), large soft front lights and a longer
lens (85 mm, less perspective). Blender frame: Z-up, metres; the subject stands at the origin
facing -Y."""
from __future__ import annotations

from .rig import add_cameras, add_floor, add_light, plain_world

AMBIENT = 0.25  # the white world's strength as light on the subject


def build_packshot(bpy, scene, subject_height: float, views: list[str]
                   ) -> dict[str, object]:
    """Add the white world, shadow-catching floor, lights and cameras; return the cameras."""
    world = plain_world(bpy, scene, "packshot_world", (1.0, 1.0, 1.0), 1.0)
    _dim_for_lighting(world)
    scene.view_settings.view_transform = "Standard"  # white stays white
    floor = add_floor(bpy, scene, "shadow_floor", (1.0, 1.0, 1.0))
    floor.is_shadow_catcher = True
    chest = (0.0, 0.0, subject_height * 0.55)
    add_light(bpy, scene, "front_left", "AREA", 80.0, (-2.0, -3.0, 2.2), chest, size=3.0)
    add_light(bpy, scene, "front_right", "AREA", 80.0, (2.0, -3.0, 2.2), chest, size=3.0)
    add_light(bpy, scene, "top", "AREA", 80.0, (0.0, 0.0, subject_height + 1.5), chest, size=2.0)
    return add_cameras(bpy, scene, subject_height, views, lens_mm=85.0, distance_per_height=4.0)


def _dim_for_lighting(world) -> None:
    """Camera rays see the world's white background; every other ray sees it at ``AMBIENT``."""
    nodes, links = world.node_tree.nodes, world.node_tree.links
    seen = nodes["Background"]
    ambient = nodes.new("ShaderNodeBackground")
    ambient.inputs["Color"].default_value = seen.inputs["Color"].default_value
    ambient.inputs["Strength"].default_value = AMBIENT
    mix = nodes.new("ShaderNodeMixShader")
    links.new(nodes.new("ShaderNodeLightPath").outputs["Is Camera Ray"], mix.inputs["Fac"])
    links.new(ambient.outputs["Background"], mix.inputs[1])
    links.new(seen.outputs["Background"], mix.inputs[2])
    links.new(mix.outputs["Shader"], nodes["World Output"].inputs["Surface"])
