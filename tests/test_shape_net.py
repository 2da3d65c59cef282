"""The trained shape network: shipped weights load offline and predict a held-out person."""
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
