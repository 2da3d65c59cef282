"""Layering: a t-shirt draped over trousers already draped on the same body."""
import pytest

from neural.errors import InputError
from tests.conftest import drape_over, write_average_avatar

BLACK = (0.02, 0.02, 0.02)  # the trousers' colour, linear RGB (not denim's own blue)


@pytest.fixture(scope="module")
def trousers_drape(tmp_path_factory):
    from neural.stages import drape_stage, garment_stage

    root = tmp_path_factory.mktemp("layers")
    write_average_avatar(root / "avatar", gender=0.0)
    garment_stage("trousers", "S", "denim", root / "trousers", BLACK)
    drape_stage(root / "avatar", root / "trousers", root / "trousers_drape", "cpu")
    return root


def test_a_top_over_trousers_stays_outside_them(trousers_drape):
    from neural.drape.fit_metrics import nearest_surface
    from neural.mesh_io import glb_materials, read_glb

    root = trousers_drape
    fit = drape_over(root, root / "trousers_drape", "tshirt", "S", "jersey")
    assert fit["layers_under"] == [{"garment": "trousers", "fabric": "denim",
                                    "color": list(BLACK)}]
    colours = {node: material["pbrMetallicRoughness"]["baseColorFactor"][:3] for node, material
               in glb_materials(root / "tshirt_drape" / "draped.glb").items()}
    assert colours["garment_under_0"] == list(BLACK) and colours["garment"] == fit["color"]
    meshes = read_glb(root / "tshirt_drape" / "draped.glb")
    assert set(meshes) == {"body", "garment_under_0", "garment"}
    trousers, tshirt = meshes["garment_under_0"], meshes["garment"][0]
    over = tshirt[tshirt[:, 2] < trousers[0][:, 2].max()]  # the t-shirt's part over the trousers
    assert len(over) > 50
    _, distance, _, inside = nearest_surface(over, trousers[0], trousers[1])
    assert (distance[inside] <= 0.002).all()


def test_layers_must_share_the_avatar(trousers_drape, tmp_path):
    from neural.stages import drape_stage

    write_average_avatar(tmp_path / "avatar", gender=1.0)
    with pytest.raises(InputError, match="another avatar"):
        drape_stage(tmp_path / "avatar", trousers_drape / "trousers", tmp_path / "d", "cpu",
                    over=trousers_drape / "trousers_drape")
    assert not (tmp_path / "d").exists()


def test_a_jacket_over_a_tee_over_trousers(trousers_drape):
    """Three layers: the jacket's sleeves hang past the tee's short sleeves, over the forearms,
    and settle there (the tee's hem is an edge of cloth, not a wall across the arm)."""
    root = trousers_drape
    tee = root / "tee_for_jacket"
    from neural.stages import drape_stage, garment_stage

    garment_stage("tshirt", "S", "jersey", root / "tee")
    drape_stage(root / "avatar", root / "tee", tee, "cpu", over=root / "trousers_drape")
    fit = drape_over(root, tee, "jacket", "S", "denim")
    assert [layer["garment"] for layer in fit["layers_under"]] == ["trousers", "tshirt"]


def test_an_open_sheet_is_a_wall_only_behind_its_faces():
    """``sheet_depths``: a point behind a square of cloth is inside it by its distance; one past
    the square's edge, below its plane, is not (its closest point is on the edge)."""
    import numpy as np

    from neural.drape.fit_metrics import sheet_depths

    vertices = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)
    faces = np.array([[0, 1, 2], [0, 2, 3]])  # normals +z: the sheet's outside is above it
    points = np.array([[0.5, 0.5, -0.01], [0.5, 0.5, 0.01], [1.2, 0.5, -0.05]])
    assert sheet_depths(points, vertices, faces) == pytest.approx([0.01, 0.0, 0.0])


def test_seams_are_welded_so_only_hems_stay_open():
    """``weld_seams``: two panels sewn along an edge (their vertices 1 mm apart) become one
    surface whose open edge is only its outline."""
    import numpy as np

    from neural.drape.layers import weld_seams

    left = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)
    right = left + [1.001, 0, 0]
    vertices = np.vstack([left, right])
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]])
    welded, welded_faces = weld_seams(vertices, faces)
    assert len(welded) == 6 and len(welded_faces) == 4
