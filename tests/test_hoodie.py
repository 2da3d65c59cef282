"""Built-in pullover hoodie: graded, the hood's seams matched, draped with the hood over the head."""
import pytest

from neural.garments.hoodie import SIZE_CHART, hoodie_pattern
from neural.garments.size_charts import load_chart
from tests.conftest import drape_on_average_body


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
