"""The trained shape network: shipped weights load offline and predict a held-out person; crops
round the person map back onto the photo."""
import numpy as np

from neural.shape_net.predict import WEIGHTS, load_shape_net, predict_shape

MAX_WEIGHTS_BYTES = 20 * 1024 * 1024


def test_weights_ship_with_the_repo_and_are_small():
    assert WEIGHTS.is_file() and WEIGHTS.stat().st_size <= MAX_WEIGHTS_BYTES
    assert load_shape_net("cpu") is not None


def test_prediction_on_a_person_it_never_saw(person_photos):
    from neural.photo.person_detector import detect_person

    person, paths = person_photos
    front, side = detect_person(paths["front"]), detect_person(paths["side"])
    height = person.measurements["stature"]
    both = predict_shape(front, height, side)
    alone = predict_shape(front, height)
    for guess in (both, alone):
        assert set(guess["phenotypes"]) == set(person.body.phenotypes)
        assert all(0.0 <= v <= 1.0 for v in guess["phenotypes"].values())
        for name in ("chest_girth", "waist_girth", "hip_girth"):
            assert abs(guess["measurements_cm"][name] - person.measurements[name]) <= 6.0, name
    # the side view is used: it changes the prediction
    assert both["measurements_cm"] != alone["measurements_cm"]


def test_a_crop_round_the_person_goes_back_where_it_came_from():
    """The segmenter's labels, made on the crop, land on the photo's own pixels."""
    from neural.shape_net.features import crop, person_box, uncrop

    labels = np.zeros((720, 540), np.uint8)
    labels[100:650, 200:340] = 2  # a garment-shaped block
    labels[100:160, 240:300] = 1  # a face
    box = person_box(np.zeros((33, 2)), (labels > 0).astype(np.float32), (540, 720))
    back = uncrop(crop(labels, box, (128, 256), nearest=True), box, (540, 720), nearest=True)
    agree = (back == labels)[labels > 0].mean()
    assert agree > 0.97 and (back[labels == 0] == 0).mean() > 0.99
