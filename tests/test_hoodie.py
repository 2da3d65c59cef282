"""Built-in pullover hoodie: graded, the hood's seams matched, draped with the hood over the head."""
import pytest

from neural.garments.hoodie import SIZE_CHART, hoodie_pattern
from neural.garments.size_charts import load_chart
from tests.conftest import drape_on_average_body, write_average_avatar


@pytest.mark.parametrize("size", list(load_chart(SIZE_CHART)))
def test_hood_goes_round_the_neckline_and_closes_over_the_crown(size):
    pattern = hoodie_pattern(size)
    hood = pattern.panel("hood")
    crown = hood.edge("crown_a").length + hood.edge("crown_b").length
    assert crown == pytest.approx(pattern.measurements["hood_width"])
    for seam in pattern.seams:
        a, b = pattern.seam_edges(seam)
        assert a.length == pytest.approx(b.length)


def test_hoodie_drapes_with_the_hood_over_the_head(tmp_path):
    from neural.body.anny_body import PHENOTYPES, BodyParameters, rest_keypoints
    from neural.mesh_io import read_glb

    drape_on_average_body(tmp_path, "hoodie", gender=0.0)
    garment = read_glb(tmp_path / "drape" / "draped.glb")["garment"][0]
    nose = rest_keypoints(BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES}
                                         | {"gender": 0.0}))["nose"]
    assert garment[:, 2].max() > nose[2] + 0.05  # the hood rests on top of the head


def test_hood_and_collar_rows_start_unstretched_round_the_head(tmp_path):
    """Placement lays each hood row (and the collar) round the back at its own length: a row
    stretched round a circle clear of the head snapped into the neck while being sewn. (Rows
    stand at their pattern heights on circles of their own, so the warp may start stretched.)"""
    import numpy as np

    from neural.drape.drape_garment import prepare_drape
    from neural.drape.fit_metrics import deformation_gradients
    from neural.stages import garment_stage

    write_average_avatar(tmp_path / "avatar", gender=0.0)
    for kind, panel in (("hoodie", "hood"), ("shirt", "collar")):
        garment_stage(kind, "M", "cotton", tmp_path / kind)
        setup = prepare_drape(tmp_path / "avatar", tmp_path / kind)
        first, end = setup.mesh.ranges[setup.mesh.panel_names.index(panel)]
        faces = setup.mesh.faces[(setup.mesh.faces >= first).all(1) & (setup.mesh.faces < end).all(1)]
        weft = np.linalg.norm(deformation_gradients(setup.start_positions, setup.mesh.uv,
                                                    faces)[:, :, 0], axis=1) - 1.0
        assert np.percentile(weft, 95) < 0.08, f"{kind} {panel} rows start stretched"
