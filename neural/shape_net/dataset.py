"""Synthetic samples (``render_farm.synthetic_data``) as tensors for ShapeNet."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES
from neural.body.measurements import ORDER
from neural.shape_net.features import view_features

VIEWS = ("front", "side")


def load_split(folder: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every sample whose front view was detected: network inputs (crops with the label
    channels where the split stores pixel labels) and ground truth arrays."""
    from tqdm import tqdm

    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    columns: dict[str, list] = {}
    for path in tqdm(sorted(folder.glob("[0-9]*.npz")), desc=f"loading {folder.name}",
                     unit="sample", leave=False):
        with np.load(path) as sample:
            if not bool(sample["front_detected"]):
                continue
            meta = json.loads(str(sample["meta"]))
            row = {"index": meta["index"]}
            for view in VIEWS:
                size = tuple(int(x) for x in sample[f"{view}_camera"][:2])
                labels = sample[f"{view}_labels"] if f"{view}_labels" in sample.files else None
                crop, keypoints = view_features(sample[f"{view}_keypoints"],
                                                sample[f"{view}_visibility"],
                                                sample[f"{view}_mask"], size, labels)
                row |= {f"{view}_crop": crop, f"{view}_keypoints": keypoints}
            row["side_present"] = np.float32(bool(sample["side_detected"]))
        truth = meta["measurements_cm"]
        row["height_cm"] = np.float32(truth["stature"])
        row["measurements_cm"] = np.array([truth[k] for k in ORDER], np.float32)
        row["phenotypes"] = np.array([meta["phenotypes"][k] for k in PHENOTYPES], np.float32)
        row["local_changes"] = np.array([meta["local_changes"][k] for k in LOCAL_CHANGES],
                                        np.float32)
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
    data = {key: np.stack(values) for key, values in columns.items()}
    data["manifest"] = manifest
    return data
