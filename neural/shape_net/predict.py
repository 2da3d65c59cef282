"""Run the trained ShapeNet on detections: a starting shape for the fit (no download: the
weights ship in the repository)."""
from __future__ import annotations

import functools
from pathlib import Path


from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES
from neural.body.measurements import ORDER
from neural.photo.person_detector import PersonObservation
from neural.shape_net.features import (CROP_SIZE, KEYPOINT_FEATURES, VIEW_CHANNELS,
                                       view_features)

WEIGHTS = Path(__file__).parent / "weights" / "shape_net.pt"


@functools.lru_cache(maxsize=2)
def load_shape_net(device: str = "cpu"):
    """The trained network in eval mode, or None when no weights have been trained yet."""
    import torch

    from neural.shape_net.model import ShapeNet

    if not WEIGHTS.is_file():
        return None
    model = ShapeNet()
    model.load_state_dict(torch.load(WEIGHTS, map_location=device, weights_only=True))
    return model.to(device).eval()


def predict_shape(front: PersonObservation, height_cm: float,
                  side: PersonObservation | None = None, device: str = "cpu") -> dict | None:
    """Phenotypes and local changes by name, the network's own measurement guesses (cm) and
    their validation errors (cm); None without trained weights."""
    import torch

    model = load_shape_net(device)
    if model is None:
        return None
    inputs = [_view_tensors(front, device)]
    if side is not None:
        inputs.append(_view_tensors(side, device))
    else:
        inputs.append((torch.zeros(1, VIEW_CHANNELS, CROP_SIZE[1], CROP_SIZE[0], device=device),
                       torch.zeros(1, KEYPOINT_FEATURES, device=device)))
    present = torch.tensor([1.0 if side is not None else 0.0], device=device)
    height = torch.tensor([float(height_cm)], device=device)
    with torch.no_grad():
        out = model(*inputs[0], *inputs[1], present, height)
    return {
        "phenotypes": dict(zip(PHENOTYPES, out["phenotypes"][0].tolist())),
        "local_changes": dict(zip(LOCAL_CHANGES, out["local_changes"][0].tolist())),
        "measurements_cm": dict(zip(ORDER, (out["measurements"][0] * height_cm).tolist())),
        "measurement_errors_cm": validation_errors(side is not None),
    }


@functools.lru_cache(maxsize=2)
def validation_errors(with_side: bool) -> dict[str, float]:
    """The measurement head's mean absolute error (cm) per measurement on the validation split,
    from the training report next to the weights ({} without one)."""
    import json

    report_path = WEIGHTS.with_suffix(".json")
    if not report_path.is_file():
        return {}
    report = json.loads(report_path.read_text())
    best = report["history"][report["best_epoch"] - 1]
    return best["front_side_per_measurement" if with_side else "front_only_per_measurement"]


def _view_tensors(person: PersonObservation, device: str):
    import torch

    crop, keypoints = view_features(person.keypoints_px, person.visibility, person.mask,
                                    (person.width, person.height), person.labels)
    return (torch.as_tensor(crop[None], device=device),
            torch.as_tensor(keypoints[None], device=device))
