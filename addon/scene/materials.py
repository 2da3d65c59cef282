"""Principled-BSDF materials for skin, fabric and fit maps."""
from __future__ import annotations


def skin_material():
    """A warm skin tone with subsurface scattering."""
    import bpy

    material = bpy.data.materials.new("skin")
    material.use_nodes = True
    bsdf = material.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (0.80, 0.60, 0.50, 1.0)
    bsdf.inputs["Roughness"].default_value = 0.5
    bsdf.inputs["Subsurface Weight"].default_value = 0.15
    return material


def fabric_material(color: tuple[float, float, float]):
    """A matte fabric with sheen (cloth fibres catching grazing light)."""
    import bpy

    material = bpy.data.materials.new("fabric")
    material.use_nodes = True
    bsdf = material.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*color, 1.0)
    bsdf.inputs["Roughness"].default_value = 0.85
    bsdf.inputs["Sheen Weight"].default_value = 0.25
    material.use_backface_culling = False
    return material


def fitmap_material(attribute: str):
    """Fit-map colours from the mesh's colour attribute ``attribute``: matte, and half
    self-lit so that the colours stay readable in shadow."""
    import bpy

    material = bpy.data.materials.new("fitmap")
    material.use_nodes = True
    nodes, links = material.node_tree.nodes, material.node_tree.links
    bsdf = nodes["Principled BSDF"]
    colors = nodes.new("ShaderNodeVertexColor")
    colors.layer_name = attribute
    links.new(colors.outputs["Color"], bsdf.inputs["Base Color"])
    links.new(colors.outputs["Color"], bsdf.inputs["Emission Color"])
    bsdf.inputs["Emission Strength"].default_value = 0.5
    bsdf.inputs["Roughness"].default_value = 0.9
    material.use_backface_culling = False
    return material


def point_colors(mesh, colors) -> str:
    """Store (V, 3) linear RGB as the mesh's per-vertex colour attribute "fitmap" (replacing
    an earlier one) and return its name. The glTF importer keeps the file's vertex order, which
    is fit.json's."""
    import numpy as np

    old = mesh.color_attributes.get("fitmap")
    if old is not None:
        mesh.color_attributes.remove(old)
    attribute = mesh.color_attributes.new("fitmap", "FLOAT_COLOR", "POINT")
    rgba = np.column_stack([colors, np.ones(len(colors))]).astype(np.float32)
    attribute.data.foreach_set("color", rgba.ravel())
    return attribute.name
