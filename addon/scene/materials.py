"""Materials: skin, a matte mannequin and the fabric looks as shader node groups ("Try-On Skin",
"Try-On denim", ...) that any object can use, materials made of one group node each, and the
fit-map material.

The weave's normal detail follows the object's UVs, which for a garment are its flat pattern
in metres: the weave keeps its real size whatever the garment's size.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..catalog import FABRIC_SURFACES, SKIN

SKIN_COLOR, SKIN_ROUGHNESS = SKIN  # linear RGB; the engine's files give the body the same
GROUP_PREFIX = "Try-On "


@dataclass(frozen=True)
class FabricLook:
    """How a fabric's weave looks, drawn as bump detail (its roughness and sheen are the
    engine's, ``catalog.FABRIC_SURFACES``, as in the glTF files it writes)."""

    weave: str  # the height pattern: plain, twill, satin, rib, loops or fuzz
    repeats_per_m: float  # the Wave texture's scale per metre of pattern (UV metres)
    relief_m: float  # height of the weave's relief, metres (the Bump node's distance)
    anisotropic: float = 0.0  # silk's stretched highlight along the threads


FABRIC_LOOKS = {
    "cotton": FabricLook("plain", 600.0, 0.0002),
    "jersey": FabricLook("loops", 500.0, 0.0003),
    "denim": FabricLook("twill", 350.0, 0.0005),
    "silk": FabricLook("satin", 1500.0, 0.00005, anisotropic=0.6),
    "wool_suiting": FabricLook("fuzz", 400.0, 0.0003),
    "knit": FabricLook("rib", 160.0, 0.0015),
}


MANNEQUIN_COLOR, MANNEQUIN_ROUGHNESS = (0.62, 0.62, 0.60), 0.8  # a matte light grey form


def skin_group():
    """The "Try-On Skin" node group (Color in, BSDF out): subsurface scattering, half rough."""
    return _plain_group("Skin", SKIN_COLOR, SKIN_ROUGHNESS, subsurface=0.15)


def mannequin_group():
    """The "Try-On Mannequin" node group (Color in, BSDF out): one matte colour, no skin."""
    return _plain_group("Mannequin", MANNEQUIN_COLOR, MANNEQUIN_ROUGHNESS)


def _plain_group(name: str, color: tuple[float, float, float], roughness: float,
                 subsurface: float = 0.0):
    """The node group "Try-On <name>" (made once): a Principled BSDF of ``roughness`` and
    ``subsurface`` weight, its colour the group's Color input (``color`` by default)."""
    import bpy

    group = bpy.data.node_groups.get(f"{GROUP_PREFIX}{name}")
    if group is not None:
        return group
    group, _, bsdf = _new_group(f"{GROUP_PREFIX}{name}", color)
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Subsurface Weight"].default_value = subsurface
    return group


def fabric_group(fabric: str):
    """The node group of a fabric look (Color, Weave Scale, Weave Depth in; BSDF out). Weave
    Scale multiplies the weave's fineness, Weave Depth its relief (1: the look's own)."""
    import bpy

    look = FABRIC_LOOKS[fabric]
    group = bpy.data.node_groups.get(f"{GROUP_PREFIX}{fabric}")
    if group is not None:
        return group
    group, group_in, bsdf = _new_group(f"{GROUP_PREFIX}{fabric}", (0.8, 0.8, 0.8))
    for name, value in (("Weave Scale", 1.0), ("Weave Depth", 1.0)):
        socket = group.interface.new_socket(name, in_out="INPUT", socket_type="NodeSocketFloat")
        socket.default_value, socket.min_value = value, 0.0
    roughness, sheen, sheen_roughness = FABRIC_SURFACES[fabric]
    bsdf.inputs["Roughness"].default_value = roughness
    bsdf.inputs["Sheen Weight"].default_value = sheen
    bsdf.inputs["Sheen Roughness"].default_value = sheen_roughness
    bsdf.inputs["Anisotropic"].default_value = look.anisotropic
    nodes, links = group.nodes, group.links
    links.new(group_in.outputs["Color"], bsdf.inputs["Sheen Tint"])  # fibres of that colour
    repeats = nodes.new("ShaderNodeMath")  # repeats per metre x the user's scale
    repeats.operation = "MULTIPLY"
    repeats.inputs[0].default_value = look.repeats_per_m
    links.new(group_in.outputs["Weave Scale"], repeats.inputs[1])
    uv = nodes.new("ShaderNodeTexCoord").outputs["UV"]
    height = _WEAVES[look.weave](nodes, links, uv, repeats.outputs["Value"])
    bump = nodes.new("ShaderNodeBump")
    bump.inputs["Distance"].default_value = look.relief_m  # Weave Depth scales it
    links.new(group_in.outputs["Weave Depth"], bump.inputs["Strength"])
    links.new(height, bump.inputs["Height"])
    links.new(bump.outputs["Normal"], bsdf.inputs["Normal"])
    return group


def skin_material():
    """A material of the skin node group."""
    return _group_material("skin", skin_group(), SKIN_COLOR)


def mannequin_material():
    """A material of the mannequin node group."""
    return _group_material("mannequin", mannequin_group(), MANNEQUIN_COLOR)


def fabric_material(fabric: str, color: tuple[float, float, float]):
    """A material of ``fabric``'s node group in ``color`` (linear RGB); its custom property
    ``tryon_fabric`` names the look."""
    material = _group_material(fabric, fabric_group(fabric), color)
    material["tryon_fabric"] = fabric
    material.use_backface_culling = False
    return material


def look_node(material):
    """The Try-On group node of a material made here, or None."""
    if material is None or not material.use_nodes:
        return None
    return next((n for n in material.node_tree.nodes if n.type == "GROUP" and n.node_tree
                 and n.node_tree.name.startswith(GROUP_PREFIX)), None)


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


def _new_group(name: str, color: tuple[float, float, float]):
    """A shader node group with a Color input wired to a Principled BSDF, whose output is the
    group's BSDF; returns (group, group input node, BSDF node)."""
    import bpy

    group = bpy.data.node_groups.new(name, "ShaderNodeTree")
    socket = group.interface.new_socket("Color", in_out="INPUT", socket_type="NodeSocketColor")
    socket.default_value = (*color, 1.0)
    group.interface.new_socket("BSDF", in_out="OUTPUT", socket_type="NodeSocketShader")
    group_in = group.nodes.new("NodeGroupInput")
    group_out = group.nodes.new("NodeGroupOutput")
    bsdf = group.nodes.new("ShaderNodeBsdfPrincipled")
    group.links.new(group_in.outputs["Color"], bsdf.inputs["Base Color"])
    group.links.new(bsdf.outputs["BSDF"], group_out.inputs["BSDF"])
    return group, group_in, bsdf


def _group_material(name: str, group, color: tuple[float, float, float]):
    """A material whose surface is one node of ``group`` with its Color set."""
    import bpy

    material = bpy.data.materials.new(name)
    material.use_nodes = True
    nodes = material.node_tree.nodes
    nodes.remove(nodes["Principled BSDF"])
    node = nodes.new("ShaderNodeGroup")
    node.node_tree = group
    node.inputs["Color"].default_value = (*color, 1.0)
    material.node_tree.links.new(node.outputs["BSDF"], nodes["Material Output"].inputs["Surface"])
    return material


def _waves(nodes, links, uv, scale, direction: str):
    """A Wave texture's smooth (sine) bands across ``direction`` (X, Y or DIAGONAL) at
    ``scale``; a bump needs curvature, which a sawtooth's straight ramps lack."""
    wave = nodes.new("ShaderNodeTexWave")
    wave.wave_type, wave.bands_direction, wave.wave_profile = "BANDS", direction, "SIN"
    links.new(uv, wave.inputs["Vector"])
    links.new(scale, wave.inputs["Scale"])
    return wave.outputs["Fac"]


def _math(nodes, links, operation: str, a, b):
    node = nodes.new("ShaderNodeMath")
    node.operation = operation
    for socket, value in zip(node.inputs, (a, b)):
        if isinstance(value, float):
            socket.default_value = value
        else:
            links.new(value, socket)
    return node.outputs["Value"]


def _plain(nodes, links, uv, scale):
    """Warp over weft: the product of crossing bands."""
    return _math(nodes, links, "MULTIPLY", _waves(nodes, links, uv, scale, "X"),
                 _waves(nodes, links, uv, scale, "Y"))


def _twill(nodes, links, uv, scale):
    """Diagonal wales (denim, gabardine)."""
    return _waves(nodes, links, uv, scale, "DIAGONAL")


def _satin(nodes, links, uv, scale):
    """Long floats along the warp: faint bands across the weft."""
    return _waves(nodes, links, uv, scale, "X")


def _rib(nodes, links, uv, scale):
    """Knit ribs running down the garment (the pattern's V axis)."""
    return _waves(nodes, links, uv, scale, "X")


def _loops(nodes, links, uv, scale):
    """Jersey's rows of small loops: fine bands across the wales."""
    rows = _waves(nodes, links, uv, _math(nodes, links, "MULTIPLY", scale, 1.5), "Y")
    return _math(nodes, links, "MULTIPLY", rows, _waves(nodes, links, uv, scale, "X"))


def _fuzz(nodes, links, uv, scale):
    """Wool's fibrous surface: fine noise."""
    noise = nodes.new("ShaderNodeTexNoise")
    noise.inputs["Detail"].default_value = 8.0
    links.new(uv, noise.inputs["Vector"])
    links.new(scale, noise.inputs["Scale"])
    return noise.outputs["Fac"]


_WEAVES = {"plain": _plain, "twill": _twill, "satin": _satin, "rib": _rib, "loops": _loops,
           "fuzz": _fuzz}
