"""Pixel labels in the fit's silhouette terms: the outline pulls the body out only where it is
skin; beside a garment it is an outer bound only."""
import numpy as np

from neural.fitting.silhouette import bare_edge, contour_distance_field, contour_points
from neural.photo.pixel_labels import LABELS


def _person() -> tuple[np.ndarray, np.ndarray]:
    """A 60 x 40 px person: its left half bare skin, its right half in a garment."""
    mask = np.zeros((100, 100), np.float32)
    mask[20:80, 30:70] = 1.0
    labels = np.zeros((100, 100), np.uint8)
    labels[20:80, 30:50] = LABELS["skin"]
    labels[20:80, 50:70] = LABELS["garment"]
    return mask, labels


def test_only_the_bare_outline_is_a_target():
    mask, labels = _person()
    bare = bare_edge(labels, LABELS["skin"], (LABELS["garment"], LABELS["hair"]))
    points = contour_points(mask, 500, keep=bare)
    assert len(points) > 20 and points[:, 0].max() < 50  # none on the garment's side
    assert len(contour_points(mask, 500)) > len(points)


def test_beside_a_garment_the_body_may_stay_inside():
    mask, labels = _person()
    bare = bare_edge(labels, LABELS["skin"], (LABELS["garment"],))
    field = contour_distance_field(mask, bare)
    plain = contour_distance_field(mask)
    assert field[50, 40] == plain[50, 40] > 5  # skin side: pulled out to the edge
    assert field[50, 62] == 0.0 and plain[50, 62] > 5  # garment side: free inside
