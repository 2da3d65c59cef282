"""Real detector on awkward photos: several people, a small off-centre person, a side photo of
someone else. Photos are composed from rendered synthetic people (raster renderer)."""
import numpy as np
import pytest
from conftest import PHOTO, PHOTO_SIZE, save_photo


def _canvas(size: tuple[int, int]) -> np.ndarray:
    from neural.synthetic.appearance import background_image

    return background_image("plain", 5, size).astype(np.float64)


def _paste(canvas: np.ndarray, rgba: np.ndarray, left: int, top: int, scale: float) -> tuple:
    """Alpha-blend ``rgba`` scaled by ``scale`` into ``canvas`` at (left, top); its box."""
    import cv2

    size = (round(rgba.shape[1] * scale), round(rgba.shape[0] * scale))
    small = cv2.resize(rgba.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    region = canvas[top:top + size[1], left:left + size[0]]
    alpha = small[..., 3:4]
    region[:] = small[..., :3] * alpha + region * (1 - alpha)
    return left, top, left + size[0], top + size[1]


def _photo(canvas: np.ndarray) -> np.ndarray:
    return (np.clip(canvas, 0, 1) * 255).round().astype(np.uint8)


def _observe(path):
    from neural.photo.person_detector import PersonDetector

    with PersonDetector() as detector:
        return detector.observe_file(path)


def test_several_people_the_largest_is_used_and_reported(render_person, tmp_path):
    _, near = render_person(2_000_001)
    _, far = render_person(2_000_004)
    canvas = _canvas((800, 720))
    far_box = _paste(canvas, far["front"], 0, 720 - 504, 0.7)
    near_box = _paste(canvas, near["front"], 260, 0, 1.0)
    seen = _observe(save_photo(tmp_path / "two.png", _photo(canvas)))

    assert seen.people_in_photo == 2
    assert seen.notes == ["2 people in the photo; used the largest one"]
    u = seen.keypoints_px[[0, 11, 12, 23, 24, 27, 28], 0]
    assert ((u > near_box[0]) & (u < near_box[2])).all()
    left, top, right, bottom = far_box
    assert seen.mask[top:bottom, left:min(right, near_box[0])].mean() < 0.05


def test_small_off_centre_person_is_found_whole(render_person, person_photos, tmp_path):
    _, images = render_person(2_000_001)
    canvas = _canvas((1600, 1200))
    box = _paste(canvas, images["front"], 1260, 820, 0.5)
    seen = _observe(save_photo(tmp_path / "small.png", _photo(canvas)))

    assert seen.people_in_photo == 1 and seen.notes == []
    inside = ((seen.keypoints_px[:, 0] >= box[0]) & (seen.keypoints_px[:, 0] <= box[2])
              & (seen.keypoints_px[:, 1] >= box[1]) & (seen.keypoints_px[:, 1] <= box[3]))
    assert inside.all()
    full_size = _observe(person_photos[1]["front"])  # the same person filling a photo

    def nose_to_ankles(seen):
        return seen.keypoints_px[[27, 28], 1].mean() - seen.keypoints_px[0, 1]

    assert nose_to_ankles(seen) == pytest.approx(0.5 * nose_to_ankles(full_size), rel=0.05)


def test_side_photo_of_someone_else_is_refused(render_person, person_photos, tmp_path):
    from neural.errors import InputError
    from neural.synthetic.appearance import background_image, composite
    from neural.stages import fit_stage

    person, paths = person_photos
    _, other = render_person(2_000_002)
    other_side = save_photo(tmp_path / "other_side.png",
                            composite(other["side"], background_image("plain", 3, PHOTO_SIZE)))
    with pytest.raises(InputError, match="different person"):
        fit_stage(paths["front"], person.measurements["stature"], tmp_path / "avatar", "cpu",
                  side_photo=other_side)
    assert not (tmp_path / "avatar").exists()


def test_same_person_front_and_side_agree(person_photos):
    from neural.photo.signature import require_same_person

    _, paths = person_photos
    front, side = _observe(paths["front"]), _observe(paths["side"])
    require_same_person(front.signature, side.signature, "side")


def test_an_open_jacket_seen_from_the_side_is_the_same_person():
    """From the front an open jacket shows the shirt between its panels, from the side only the
    jacket: the views share the jacket's colour, so they agree; a different jacket does not."""
    from neural.photo.signature import PersonSignature, colour_difference, palette

    rng = np.random.default_rng(0)
    shirt, jacket, other = np.array([90.0, 0, 0]), np.array([30.0, 10, -30]), np.array([50.0, 60, 40])

    def signature(*parts: tuple[np.ndarray, int]) -> PersonSignature:
        pixels = np.vstack([colour + rng.normal(0, 2, (count, 3)) for colour, count in parts])
        palettes, shares = zip(*[palette(pixels)] * 3)
        return PersonSignature(np.array(palettes), np.array(shares), np.zeros(3))

    front = signature((shirt, 300), (jacket, 500))
    assert colour_difference(front, signature((jacket, 800))) < 5
    assert colour_difference(front, signature((other, 800))) > 40


def test_a_warm_engine_keeps_one_detector_and_opens_a_new_one_after_a_failure():
    """``keep_detector`` (a warm engine's start) makes ``open_detector`` give the same opened
    detector to every block; a block that fails on its photo leaves it closed, and the next
    block gets a fresh one that reads photos."""
    from neural.errors import InputError
    from neural.photo import person_detector
    from neural.photo.person_detector import keep_detector, load_photo, open_detector

    rgb, sha256 = load_photo(PHOTO)
    blank = np.zeros((480, 360, 3), np.uint8)
    try:
        keep_detector()
        with open_detector() as first:
            first.observe(rgb, "example", sha256)
        with open_detector() as again:
            assert again is first
        with pytest.raises(InputError, match="no person"), open_detector() as detector:
            detector.observe(blank, "blank")
        with open_detector() as fresh:
            assert fresh is not first
            assert fresh.observe(rgb, "example", sha256).visibility.mean() > 0.5
    finally:
        kept = person_detector._KEPT.pop("detector", None)
        if kept is not None:
            kept.__exit__(None, None, None)
