"""Layering: a t-shirt draped over trousers already draped on the same body."""
import pytest

from neural.body.anny_body import PHENOTYPES, BodyParameters
from neural.errors import InputError
from tests.conftest import drape_over


@pytest.fixture(scope="module")
def trousers_drape(tmp_path_factory):
    from neural.fitting.avatar_file import write_body_avatar
    from render_farm.stages import drape_stage, garment_stage

    root = tmp_path_factory.mktemp("layers")
    body = BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES} | {"gender": 0.0})
    write_body_avatar(root / "avatar", body, "Anny's average man")
    garment_stage("trousers", "S", "denim", root / "trousers")
    drape_stage(root / "avatar", root / "trousers", root / "trousers_drape", "cpu")
    return root


def test_a_top_over_trousers_stays_outside_them(trousers_drape):
    from neural.drape.fit_metrics import nearest_surface
    from neural.mesh_io import read_glb

    root = trousers_drape
    fit = drape_over(root, root / "trousers_drape", "tshirt", "S", "jersey")
    assert fit["layers_under"] == [{"garment": "trousers", "fabric": "denim"}]
    meshes = read_glb(root / "tshirt_drape" / "draped.glb")
    assert set(meshes) == {"body", "garment_under_0", "garment"}
    trousers, tshirt = meshes["garment_under_0"], meshes["garment"][0]
    over = tshirt[tshirt[:, 2] < trousers[0][:, 2].max()]  # the t-shirt's part over the trousers
    assert len(over) > 50
    _, distance, _, inside = nearest_surface(over, trousers[0], trousers[1])
    assert (distance[inside] <= 0.002).all()


def test_layers_must_share_the_avatar(trousers_drape, tmp_path):
    from neural.fitting.avatar_file import write_body_avatar
    from render_farm.stages import drape_stage

    other = BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES} | {"gender": 1.0})
    write_body_avatar(tmp_path / "avatar", other, "Anny's average woman")
    with pytest.raises(InputError, match="another avatar"):
        drape_stage(tmp_path / "avatar", trousers_drape / "trousers", tmp_path / "d", "cpu",
                    over=trousers_drape / "trousers_drape")
    assert not (tmp_path / "d").exists()
