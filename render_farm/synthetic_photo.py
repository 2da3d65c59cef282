"""Photo-like renders of synthetic people with Cycles, for the held-out benchmark split.

Takes the same inputs as ``neural.synthetic.render_raster`` (Z-up metres, OpenCV-style camera
spec) and returns float RGBA in [0, 1] with a transparent background.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from addon.scene.quiet import blender_output_silenced


def render_cycles(vertices: np.ndarray, faces: np.ndarray, colours: np.ndarray, camera,
                  look, samples: int = 16) -> np.ndarray:
    """(H, W, 4) float RGBA of the vertex-coloured body lit by a sun and a grey sky."""
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    body = _body_object(bpy, vertices, faces, colours)
    scene.collection.objects.link(body)
    _add_sun(bpy, scene, np.asarray(look.light_direction), 3.0 * look.light_strength)
    world = bpy.data.worlds.new("sky")
    world.use_nodes = True
    background = world.node_tree.nodes["Background"]
    background.inputs[0].default_value = (0.8, 0.85, 0.9, 1.0)
    background.inputs[1].default_value = 1.5 * look.ambient * look.light_strength
    scene.world = world
    scene.camera = _camera_object(bpy, scene, camera)
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = True
    scene.render.resolution_x, scene.render.resolution_y = camera.width, camera.height
    scene.render.resolution_percentage = 100
    scene.render.film_transparent = True
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGBA"
    with tempfile.TemporaryDirectory() as folder:
        scene.render.filepath = str(Path(folder) / "render.png")
        with blender_output_silenced():
            bpy.ops.render.render(write_still=True)
        from PIL import Image

        with Image.open(scene.render.filepath) as image:
            return np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0


def _body_object(bpy, vertices, faces, colours):
    mesh = bpy.data.meshes.new("body")
    mesh.from_pydata(vertices.tolist(), [], faces.tolist())
    attribute = mesh.color_attributes.new("colour", "FLOAT_COLOR", "POINT")
    linear = np.where(colours <= 0.04045, colours / 12.92, ((colours + 0.055) / 1.055) ** 2.4)
    attribute.data.foreach_set("color", np.c_[linear, np.ones(len(linear))].ravel())
    for polygon in mesh.polygons:
        polygon.use_smooth = True
    material = bpy.data.materials.new("body")
    material.use_nodes = True
    nodes = material.node_tree.nodes
    shader = nodes["Principled BSDF"]
    colour = nodes.new("ShaderNodeVertexColor")
    colour.layer_name = "colour"
    material.node_tree.links.new(colour.outputs["Color"], shader.inputs["Base Color"])
    shader.inputs["Roughness"].default_value = 0.6
    shader.inputs["Subsurface Weight"].default_value = 0.05
    mesh.materials.append(material)
    return bpy.data.objects.new("body", mesh)


def _add_sun(bpy, scene, toward_light: np.ndarray, strength: float) -> None:
    from mathutils import Vector

    sun = bpy.data.objects.new("sun", bpy.data.lights.new("sun", type="SUN"))
    sun.data.energy = strength
    sun.data.angle = np.radians(5.0)
    sun.rotation_euler = Vector(toward_light.tolist()).to_track_quat("Z", "Y").to_euler()
    scene.collection.objects.link(sun)


def _camera_object(bpy, scene, camera):
    from mathutils import Matrix

    data = bpy.data.cameras.new("camera")
    data.sensor_fit = "HORIZONTAL"
    data.sensor_width = 36.0
    data.lens = camera.focal_px * 36.0 / camera.width
    data.clip_start, data.clip_end = 0.05, 50.0
    obj = bpy.data.objects.new("camera", data)
    obj.matrix_world = Matrix(camera.opengl_pose().tolist())
    scene.collection.objects.link(obj)
    return obj
