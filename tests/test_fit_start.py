"""The pieces that make the photo fit quick: the limbs' start read from the keypoints, posing a
shape already run, and the silhouette drawn from half the triangles."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def anny():
    from neural.body.anny_body import load_anny, load_keypoint_regressor

    return load_anny("cpu"), load_keypoint_regressor("cpu")


def _limbs_turned(seed: int):
    """Rotation vectors of ``POSED_BONES`` with every limb of ``LIMBS`` turned at random about
    the body's Y axis (the front camera's line of sight), up to 0.6 rad either way."""
    from neural.body.anny_body import POSED_BONES
    from neural.fitting.fit_body import LIMBS

    generator = torch.Generator().manual_seed(seed)
    rotvecs = torch.zeros(len(POSED_BONES), 3)
    for bone, _, _ in LIMBS:
        rotvecs[POSED_BONES.index(bone), 1] = (torch.rand((), generator=generator) - 0.5) * 1.2
    return rotvecs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_limbs_start_turned_as_the_photo_shows_them(anny, seed):
    """Keypoints of a body whose arms and legs are turned in the picture plane (seen from the
    front, any scale) give back those turns within 0.08 rad (5 degrees): keypoints are near,
    not at, the joints."""
    from neural.body.anny_body import body_forward
    from neural.fitting.fit_body import ANNY_KEYPOINTS, limb_rotations

    model, regressor = anny
    rotvecs = _limbs_turned(seed)
    with torch.no_grad():
        rest = regressor(model())[0, ANNY_KEYPOINTS]
        posed = regressor(body_forward(model, torch.full((1, 6), 0.5), None, rotvecs))
    posed = posed[0, ANNY_KEYPOINTS]
    pixels = torch.stack([posed[:, 0], -posed[:, 2]], -1) * 300.0 + 200.0  # v down
    found = limb_rotations(rest, pixels, torch.ones(len(pixels)))
    assert torch.allclose(found, rotvecs, atol=0.08), (found[:, 1], rotvecs[:, 1])

    hidden = torch.ones(len(pixels))
    hidden[ANNY_KEYPOINTS.index(9)] = 0.0  # the left wrist unseen: that forearm stays at rest
    found = limb_rotations(rest, pixels, hidden)
    from neural.body.anny_body import POSED_BONES

    assert torch.all(found[POSED_BONES.index("lowerarm01.L")] == 0.0)


def test_a_shape_run_once_poses_as_the_whole_model_does(anny):
    from neural.body.anny_body import body_forward, pose_rest_body

    model, _ = anny
    generator = torch.Generator().manual_seed(3)
    phenotypes = torch.rand(1, 6, generator=generator)
    local = (torch.rand(1, 20, generator=generator) - 0.5) * 0.6
    rotvecs = torch.stack([_limbs_turned(4), _limbs_turned(5)])
    with torch.no_grad():
        whole = body_forward(model, phenotypes, local, rotvecs)
        posed = pose_rest_body(model, body_forward(model, phenotypes, local), rotvecs)
    assert torch.allclose(whole["vertices"], posed["vertices"], atol=1e-6)  # metres
    assert torch.allclose(whole["bone_poses"], posed["bone_poses"], atol=1e-6)


def test_the_silhouette_from_the_triangles_facing_one_way_is_the_whole_one(anny):
    """Anny's body is a closed surface: the triangles facing the camera cover its silhouette as
    all of them do (those facing away drawn by reversing every triangle)."""
    from neural.body.anny_body import body_forward, triangle_faces
    from neural.fitting.silhouette import iou, rasterize

    model, _ = anny
    faces = triangle_faces(model)
    with torch.no_grad():
        vertices = body_forward(model, torch.full((1, 6), 0.5), None,
                                _limbs_turned(6))["vertices"][0].numpy()
    uv = np.stack([vertices[:, 0], -vertices[:, 2]], 1)
    uv = (uv - uv.min(0)) * 236.0 / np.ptp(uv[:, 1]) + 10.0
    width = int(uv[:, 0].max()) + 10
    facing = rasterize(uv, faces, width, 256)
    whole = facing | rasterize(uv, faces[:, ::-1], width, 256)
    assert facing.sum() > 5000
    assert iou(facing, whole) > 0.995


def test_a_shape_near_the_start_runs_as_anny_does(anny):
    """``ShapeNear`` is Anny itself at its start, and close to it nearby: rest vertices within
    0.5 mm and posed ones within 3 mm on average for phenotypes and local changes moved by up
    to 0.03 (the fit takes it again every few steps)."""
    from neural.body.anny_body import ShapeNear, body_forward, pose_rest_body

    model, _ = anny
    generator = torch.Generator().manual_seed(7)
    phenotypes = torch.rand(1, 6, generator=generator) * 0.6 + 0.2
    local = (torch.rand(1, 20, generator=generator) - 0.5) * 0.6
    rotvecs = _limbs_turned(8)
    near = ShapeNear(model, phenotypes, local)
    with torch.no_grad():
        for moved in (0.0, 0.03):
            nudge = (torch.rand(1, 26, generator=generator) - 0.5) * 2 * moved
            phenotypes_there, local_there = phenotypes + nudge[:, :6], local + nudge[:, 6:]
            whole = body_forward(model, phenotypes_there, local_there, rotvecs)
            quick = pose_rest_body(model, near.rest(phenotypes_there, local_there), rotvecs)
            rest_off = (whole["rest_vertices"] - quick["rest_vertices"]).norm(dim=-1)
            posed_off = (whole["vertices"] - quick["vertices"]).norm(dim=-1)
            assert rest_off.max() <= (1e-6 if moved == 0.0 else 5e-4)  # metres
            assert posed_off.mean() <= (1e-6 if moved == 0.0 else 3e-3)
    shape = phenotypes.clone().requires_grad_(True)
    pose_rest_body(model, near.rest(shape, local), rotvecs)["vertices"][0, :, 0].sum().backward()
    assert shape.grad.abs().sum() > 0
