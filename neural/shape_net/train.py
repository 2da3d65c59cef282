"""Train ShapeNet on the synthetic train splits: `python -m neural.shape_net.train`.

Reads the close-fitting ``train`` split and the ``dressed_train`` split (people in draped
garments, with pixel labels), whichever are there; 10 % of each split's people (with all their
photo sessions) is held back for validation (the test splits are never read), and the best
epoch is the one with the lowest mean of the splits' front + side errors. A smaller split is
repeated (up to ``MAX_REPEAT`` times) to weigh about as much as the larger. ``--init`` starts
from earlier weights (a crop with fewer channels gets zero weights for the new ones). Saves the
best weights (float32 state dict) and a JSON report next to them. Deterministic for a seed on
CPU.

Losses: the Anny parameters (MSE) and the measurement head (L1, cm); for the last
``vertex_epochs`` also the body itself: the mean distance (cm) between the rest-pose Anny
meshes of the predicted and the true parameters, both scaled to the true stature — parameters
matter unequally, and this weighs them by how much they move the body.

Augmentation: detector-like noise (keypoint jitter, outlines grown or shrunk, side views
dropped) and, for ``label_dropout`` of the samples, no pixel labels: what a photo gives when no
segmenter has labelled it.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "shape_net.pt"
INPUTS = ("front_crop", "front_keypoints", "side_crop", "side_keypoints", "side_present",
          "height_cm")


SPLITS = ("train", "dressed_train")
MAX_REPEAT = 10  # a smaller split's people are seen up to this many times per epoch
PEAK_LR, FINE_TUNE_LR = 2e-3, 5e-4  # one-cycle peak learning rate, from scratch / from --init


def train(data_dir: str, weights_path: str, epochs: int = 40, batch: int = 64, seed: int = 0,
          side_dropout: float = 0.35, vertex_epochs: int = 10, label_dropout: float = 0.2,
          init: str | None = None) -> dict:
    """Fit the network; returns the report (validation errors per epoch, best epoch). From
    ``init`` the learning rate peaks lower (``FINE_TUNE_LR``), to keep what it knew."""
    import torch
    from tqdm import tqdm

    from neural.files import write_bytes_atomic, write_json_atomic
    from neural.shape_net.dataset import load_split
    from neural.shape_net.model import ShapeNet

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    names = [name for name in SPLITS if (Path(data_dir) / name / "manifest.json").is_file()]
    splits = [load_split(Path(data_dir) / name) for name in names]
    if not splits:
        raise SystemExit(f"no training split ({' or '.join(SPLITS)}) in {data_dir}")
    tensors, held, fit, offset = {}, {}, [], 0
    largest = max(len(data["height_cm"]) for data in splits)
    for name, data in zip(names, splits):  # each split held back alike, whole people
        count = len(data["height_cm"])
        people = np.unique(data["index"])
        held_people = people[rng.permutation(len(people))[: max(1, len(people) // 10)]]
        is_held = np.isin(data["index"], held_people)
        held[name] = torch.as_tensor(offset + np.flatnonzero(is_held))
        repeat = min(MAX_REPEAT, max(1, round(largest / count)))
        fit += (offset + np.flatnonzero(~is_held)).tolist() * repeat
        offset += count
        for key, value in data.items():
            if key != "manifest":
                tensors.setdefault(key, []).append(torch.as_tensor(value))
    tensors = {key: torch.cat(values) for key, values in tensors.items()}
    fit, count = np.array(fit), offset
    bodies = RestBodies()
    tensors["rest_vertices"] = bodies.true_vertices(tensors, batch)
    model = ShapeNet()
    if init:
        warm_start(model, init)
    peak = FINE_TUNE_LR if init else PEAK_LR
    optimiser = torch.optim.AdamW(model.parameters(), lr=peak / 2, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=peak, total_steps=epochs * ((len(fit) + batch - 1) // batch))
    history, best = [], (float("inf"), -1)
    started = time.perf_counter()
    for epoch in tqdm(range(epochs), desc="training", unit="epoch"):
        if epoch == epochs - vertex_epochs:
            best = (float("inf"), -1)  # keep only weights trained on the meshes too
        model.train()
        shuffled = rng.permutation(fit)
        for start in range(0, len(fit), batch):
            rows = torch.as_tensor(shuffled[start:start + batch])
            inputs = _augment({k: tensors[k][rows] for k in INPUTS}, side_dropout,
                              label_dropout, rng)
            prediction = model(*(inputs[k] for k in INPUTS))
            loss = _loss(prediction, tensors, rows)["total"]
            if epoch >= epochs - vertex_epochs:
                loss = loss + VERTEX_WEIGHT * bodies.distance_cm(prediction, tensors, rows)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        errors = evaluate(model, tensors, torch.cat(list(held.values())))
        by_split = {name: evaluate(model, tensors, rows) for name, rows in held.items()}
        history.append({"epoch": epoch + 1} | errors | {"by_split": by_split})
        score = np.mean([split["front_side_mae_cm"] for split in by_split.values()])
        if score < best[0]:
            best = (score, epoch + 1)
            buffer = io.BytesIO()
            torch.save(model.state_dict(), buffer)
            write_bytes_atomic(weights_path, buffer.getvalue())
    model.load_state_dict(torch.load(weights_path, weights_only=True))
    held = torch.cat(list(held.values())).numpy()
    report = {"samples": count, "train": len(fit), "validation": len(held), "epochs": epochs,
              "vertex_epochs": vertex_epochs, "best_epoch": best[1],
              "seconds": round(time.perf_counter() - started, 1),
              "parameter_path_mae_cm": parameter_path_errors(model, tensors,
                                                             rng.permutation(held)[:100]),
              "history": history, "init": init,
              "data_manifests": [data["manifest"] for data in splits]}
    write_json_atomic(Path(weights_path).with_suffix(".json"), report)
    return report


VERTEX_WEIGHT = 0.05  # per cm of mean vertex distance


class RestBodies:
    """Anny rest-pose meshes of predicted and true parameters, scaled to the true stature."""

    def __init__(self):
        from neural.body.anny_body import load_anny

        self.model = load_anny("cpu")

    def vertices(self, phenotypes, local_changes, height_cm):
        """(B, V, 3) rest vertices in cm, scaled so that each body's stature is ``height_cm``."""
        from neural.body.anny_body import body_forward

        rest = body_forward(self.model, phenotypes, local_changes)["rest_vertices"]
        stature = rest[..., 2].amax(1) - rest[..., 2].amin(1)
        return rest * (height_cm / stature)[:, None, None]

    def true_vertices(self, tensors: dict, batch: int):
        import torch

        with torch.no_grad():
            return torch.cat([
                self.vertices(tensors["phenotypes"][i:i + batch],
                              tensors["local_changes"][i:i + batch],
                              tensors["height_cm"][i:i + batch])
                for i in range(0, len(tensors["height_cm"]), batch)])

    def distance_cm(self, prediction: dict, tensors: dict, rows):
        """Mean vertex distance (cm) between predicted and true bodies."""
        predicted = self.vertices(prediction["phenotypes"], prediction["local_changes"],
                                  tensors["height_cm"][rows])
        return (predicted - tensors["rest_vertices"][rows]).norm(dim=-1).mean()


def warm_start(model, weights_path: str) -> None:
    """Load earlier weights into ``model``; a first convolution that saw fewer crop channels
    keeps its weights for those and starts the new ones at zero."""
    import torch

    state = torch.load(weights_path, map_location="cpu", weights_only=True)
    own = model.state_dict()
    for key, value in state.items():
        if value.ndim == 4 and value.shape[1] < own[key].shape[1]:
            padded = torch.zeros_like(own[key])
            padded[:, :value.shape[1]] = value
            state[key] = padded
    model.load_state_dict(state)


def _augment(inputs: dict, side_dropout: float, label_dropout: float,
             rng: np.random.Generator) -> dict:
    """Detector-like noise: jittered keypoints, outlines grown or shrunk, side views and pixel
    labels dropped; half of the people mirrored left to right."""
    import torch

    from neural.shape_net.features import CROP_SIZE, MIRRORED_KEYPOINTS

    out = dict(inputs)
    count = len(out["height_cm"])
    unlabelled = torch.as_tensor(rng.uniform(size=count) < label_dropout)[:, None, None, None]
    mirrored = torch.as_tensor(rng.uniform(size=count) < 0.5)
    box_width = CROP_SIZE[0] / CROP_SIZE[1]  # in keypoint units (box heights)
    for view in ("front", "side"):
        points = out[f"{view}_keypoints"].reshape(count, -1, 3)[:, list(MIRRORED_KEYPOINTS)]
        points[..., 0] = box_width - points[..., 0]
        out[f"{view}_keypoints"] = torch.where(mirrored[:, None], points.reshape(count, -1),
                                               out[f"{view}_keypoints"])
        out[f"{view}_crop"] = torch.where(mirrored[:, None, None, None],
                                          out[f"{view}_crop"].flip(-1), out[f"{view}_crop"])
        noise = torch.randn_like(out[f"{view}_keypoints"]) * 0.004
        noise[:, 2::3] = 0.0
        out[f"{view}_keypoints"] = out[f"{view}_keypoints"] + noise
        crop = out[f"{view}_crop"]
        grow = torch.nn.functional.max_pool2d(crop, 3, 1, 1)
        shrink = -torch.nn.functional.max_pool2d(-crop, 3, 1, 1)
        pick = torch.as_tensor(rng.integers(0, 3, count))[:, None, None, None]
        crop = torch.where(pick == 1, grow, torch.where(pick == 2, shrink, crop))
        crop[:, 1:] = torch.where(unlabelled, 0.0, crop[:, 1:])
        out[f"{view}_crop"] = crop
    keep = torch.as_tensor(rng.uniform(size=count) >= side_dropout, dtype=torch.float32)
    out["side_present"] = out["side_present"] * keep
    return out


def _loss(prediction: dict, tensors: dict, rows) -> dict:
    import torch

    height = tensors["height_cm"][rows][:, None]
    measured = prediction["measurements"] * height
    terms = {
        "phenotypes": torch.nn.functional.mse_loss(prediction["phenotypes"],
                                                   tensors["phenotypes"][rows]),
        "local_changes": 0.5 * torch.nn.functional.mse_loss(prediction["local_changes"],
                                                            tensors["local_changes"][rows]),
        "measurements": 0.02 * (measured - tensors["measurements_cm"][rows]).abs().mean(),
    }
    terms["total"] = sum(terms.values())
    return terms


def evaluate(model, tensors: dict, rows) -> dict:
    """Mean absolute error (cm) of the measurement head, front only and front + side."""
    import torch

    from neural.body.measurements import ORDER

    model.eval()
    result = {}
    with torch.no_grad():
        for name, present in (("front_only", 0.0), ("front_side", None)):
            inputs = {k: tensors[k][rows] for k in INPUTS}
            if present is not None:
                inputs["side_present"] = torch.zeros_like(inputs["side_present"])
            out = model(*(inputs[k] for k in INPUTS))
            error = (out["measurements"] * tensors["height_cm"][rows][:, None]
                     - tensors["measurements_cm"][rows]).abs().mean(0)
            result[f"{name}_mae_cm"] = round(float(error.mean()), 3)
            result[f"{name}_per_measurement"] = dict(zip(ORDER, error.round(decimals=2).tolist()))
    return result


def parameter_path_errors(model, tensors: dict, rows) -> dict:
    """MAE (cm) per measurement of the meshes made from the predicted parameters (scaled to the
    true stature), front + side inputs: what the fit starts from."""
    import torch
    from tqdm import tqdm

    from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES, BodyParameters, measure_rest_body
    from neural.body.measurements import ORDER

    model.eval()
    rows = torch.as_tensor(rows)
    with torch.no_grad():
        out = model(*(tensors[k][rows] for k in INPUTS))
    errors = []
    for i, row in enumerate(tqdm(rows.tolist(), desc="measuring predicted bodies", leave=False)):
        body = BodyParameters(dict(zip(PHENOTYPES, out["phenotypes"][i].tolist())),
                              dict(zip(LOCAL_CHANGES, out["local_changes"][i].tolist())))
        measured = measure_rest_body(body)
        scale = float(tensors["height_cm"][row]) / measured["stature"]
        errors.append([measured[k] * scale - float(tensors["measurements_cm"][row, j])
                       for j, k in enumerate(ORDER)])
    return dict(zip(ORDER, np.round(np.abs(errors).mean(0), 2).tolist()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/synthetic")
    parser.add_argument("--out", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vertex-epochs", type=int, default=10,
                        help="final epochs that also compare predicted and true meshes")
    parser.add_argument("--init", help="start from these weights (e.g. the shipped ones)")
    args = parser.parse_args(argv)
    report = train(args.data, args.out, args.epochs, seed=args.seed,
                   vertex_epochs=args.vertex_epochs, init=args.init)
    last = report["history"][report["best_epoch"] - 1]
    print(f"best epoch {report['best_epoch']}: validation MAE front {last['front_only_mae_cm']} cm,"
          f" front+side {last['front_side_mae_cm']} cm; weights in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
