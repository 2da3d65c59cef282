"""moving.glb: the photo avatar's drape skinned to its armature, with motions a web viewer plays.
The file is decoded here independently of the writer (glTF nodes, skin, animation samplers) and
the body it poses is checked against Anny's own skinning of the same rotations."""
import json
import struct

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.spatial.transform import Rotation

from neural.body.motions import MOTIONS, joint_worlds, motion_frames
from neural.fitting.avatar_file import read_avatar
from neural.mesh_io import Z_UP_TO_Y_UP, read_glb


@pytest.fixture(scope="module")
def moving(drape_dir, avatar_dir):
    from neural.drape.moving_drape import moving_glb

    return _Gltf(moving_glb(drape_dir, avatar_dir))


class _Gltf:
    """A GLB's JSON and accessors, and its skinned meshes posed at an animation's keyframe."""

    COMPONENTS = {5126: np.float32, 5121: np.uint8, 5125: np.uint32}
    WIDTHS = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}

    def __init__(self, glb: bytes):
        (length,) = struct.unpack_from("<I", glb, 12)
        self.document = json.loads(glb[20:20 + length])
        self.binary = glb[20 + length + 8:]
        self.size = len(glb)

    def accessor(self, index: int) -> np.ndarray:
        accessor = self.document["accessors"][index]
        view = self.document["bufferViews"][accessor["bufferView"]]
        width = self.WIDTHS[accessor["type"]]
        return np.frombuffer(self.binary, self.COMPONENTS[accessor["componentType"]],
                             accessor["count"] * width, view["byteOffset"]).reshape(-1, width)

    def animation(self, name: str) -> dict:
        return next(a for a in self.document["animations"] if a["name"] == name)

    def posed(self, mesh: str, animation: dict | None = None, key: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
        """The mesh's bind-pose vertices and its vertices skinned at keyframe ``key`` of
        ``animation`` (None: the nodes' own transforms), both Y-up."""
        nodes = self.document["nodes"]
        override = {}
        for channel in (animation or {}).get("channels", []):
            sampler = animation["samplers"][channel["sampler"]]
            target = channel["target"]
            override.setdefault(target["node"], {})[target["path"]] = self.accessor(
                sampler["output"])[key]
        worlds = {}

        def visit(index: int, parent: np.ndarray) -> None:
            node, changed = nodes[index], override.get(index, {})
            local = np.eye(4)
            local[:3, :3] = Rotation.from_quat(changed.get("rotation", node.get(
                "rotation", [0, 0, 0, 1]))).as_matrix()
            local[:3, 3] = changed.get("translation", node.get("translation", [0, 0, 0]))
            worlds[index] = parent @ local
            for child in node.get("children", []):
                visit(child, worlds[index])

        visit(0, np.eye(4))
        skin = self.document["skins"][0]
        binds = self.accessor(skin["inverseBindMatrices"]).reshape(-1, 4, 4).transpose(0, 2, 1)
        joint_matrices = np.stack([worlds[j] @ bind for j, bind in zip(skin["joints"], binds)])
        primitive = next(m for m in self.document["meshes"] if m["name"] == mesh)[
            "primitives"][0]["attributes"]
        bind_pose = self.accessor(primitive["POSITION"]).astype(float)
        joints = self.accessor(primitive["JOINTS_0"]).astype(int)
        weights = self.accessor(primitive["WEIGHTS_0"]).astype(float)
        skinned = np.einsum("vk,vkij,vj->vi", weights, joint_matrices[joints],
                            np.c_[bind_pose, np.ones(len(bind_pose))])[:, :3]
        return (np.c_[bind_pose, np.ones(len(bind_pose))] @ worlds[0].T)[:, :3], skinned


def test_the_file_holds_every_motion_and_stays_small(moving):
    assert [a["name"] for a in moving.document["animations"]] == list(MOTIONS)
    assert {m["name"] for m in moving.document["meshes"]} == {"body", "garment"}
    assert moving.size < 3_000_000  # bytes: a web page loads it in a moment
    for animation in moving.document["animations"]:
        times = moving.accessor(animation["samplers"][0]["input"]).ravel()
        assert times[0] == 0.0 and 2.0 < times[-1] < 5.0 and np.all(np.diff(times) > 0)


def test_it_rests_where_it_was_draped_and_walks_as_anny_skins(moving, avatar_dir, drape_dir):
    walk = moving.animation("walk")
    rest_body, first = moving.posed("body", walk, 0)
    assert np.abs(first - rest_body).max() < 1e-4  # metres: the walk starts in the drape's pose
    draped = read_glb(drape_dir / "draped.glb")["body"][0] @ Z_UP_TO_Y_UP.T
    assert np.abs(rest_body - draped).max() < 1e-5

    key = 20  # mid-stride
    _, walking = moving.posed("body", walk, key)
    _, body = read_avatar(avatar_dir)
    times, bones, rotations = motion_frames("walk")
    rest_worlds, worlds = joint_worlds(body, rotations[[key]], bones)
    with np.load(avatar_dir / "skeleton.npz") as skeleton:  # every influence, not just 4
        moves = worlds[0] @ np.linalg.inv(rest_worlds)
        rest = draped @ Z_UP_TO_Y_UP
        expected = np.einsum("vk,vkij,vj->vi", skeleton["vertex_weights"],
                             moves[skeleton["vertex_bones"].astype(int)],
                             np.c_[rest, np.ones(len(rest))])[:, :3] @ Z_UP_TO_Y_UP.T
    gap = np.linalg.norm(walking - expected, axis=1)
    assert np.linalg.norm(walking - rest_body, axis=1).max() > 0.1  # the legs swing
    assert np.mean(gap) < 0.001 and np.percentile(gap, 99) < 0.01


def test_the_garment_follows_the_body_in_every_motion(moving):
    rest_body, _ = moving.posed("body")
    rest_garment, _ = moving.posed("garment")
    on_body = cKDTree(rest_body).query(rest_garment)[0]
    for name in MOTIONS:
        animation = moving.animation(name)
        count = len(moving.accessor(animation["samplers"][0]["input"]))
        for key in (count // 3, count // 2):
            _, body = moving.posed("body", animation, key)
            _, garment = moving.posed("garment", animation, key)
            moved = np.linalg.norm(garment - rest_garment, axis=1)
            off = cKDTree(body).query(garment)[0]
            assert moved.max() > 0.02, name  # the garment moves ...
            # ... and stays on the body: its distance to the skin changes little
            assert np.percentile(np.abs(off - on_body), 95) < 0.01, (name, key)
