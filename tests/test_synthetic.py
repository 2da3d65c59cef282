"""The synthetic people generator: real renders, the real detector, ground truth, resumable."""
import json

import numpy as np

from neural.body.measurements import ORDER


def test_generator_writes_detected_views_with_ground_truth_and_resumes(tmp_path):
    from render_farm.synthetic_data import generate

    first = generate("train", 2, tmp_path)
    assert first["made"] == 2 and first["views_detected"] >= 3
    files = sorted((tmp_path / "train").glob("*.npz"))
    assert [f.name for f in files] == ["00000.npz", "00001.npz"]
    with np.load(files[0]) as sample:
        meta = json.loads(str(sample["meta"]))
        assert list(meta["measurements_cm"]) == list(ORDER)
        assert 140 < meta["measurements_cm"]["stature"] < 210
        if bool(sample["front_detected"]):
            truth, seen = sample["front_true_mask"] > 127, sample["front_mask"] > 127
            assert (truth & seen).sum() / (truth | seen).sum() > 0.8  # detector agrees with render
    again = generate("train", 2, tmp_path)
    assert again["made"] == 0 and again["already_there"] == 2


def test_same_seed_same_person():
    from neural.synthetic.scene import make_person

    a, b = make_person(7), make_person(7)
    assert a.measurements == b.measurements and a.cameras == b.cameras
    assert np.array_equal(a.colours, b.colours)
    assert make_person(8).measurements != a.measurements
