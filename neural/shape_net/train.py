"""Train ShapeNet on the synthetic train split: `python -m neural.shape_net.train`.

10 % of the train split is held back for validation (the test split is never read). Saves the
best weights (float32 state dict) and a JSON report next to them. Deterministic for a seed on CPU.

Losses: the Anny parameters (MSE) and the measurement head (L1, cm); for the last
``vertex_epochs`` also the body itself: the mean distance (cm) between the rest-pose Anny
meshes of the predicted and the true parameters, both scaled to the true stature — parameters
matter unequally, and this weighs them by how much they move the body.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "shape_net.pt"
INPUTS = ("front_mask", "front_keypoints", "side_mask", "side_keypoints", "side_present",
          "height_cm")


def train(data_dir: str, weights_path: str, epochs: int = 40, batch: int = 64, seed: int = 0,
          side_dropout: float = 0.35, vertex_epochs: int = 10) -> dict:
    """Fit the network; returns the report (validation errors per epoch, best epoch)."""
    import torch
    from tqdm import tqdm

    from neural.files import write_bytes_atomic, write_json_atomic
    from neural.shape_net.dataset import load_split
    from neural.shape_net.model import ShapeNet

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data = load_split(Path(data_dir) / "train")
    count = len(data["height_cm"])
    order = rng.permutation(count)
    held = order[: max(1, count // 10)]
    fit = order[max(1, count // 10):]
    tensors = {k: torch.as_tensor(v) for k, v in data.items() if k != "manifest"}
    bodies = RestBodies()
    tensors["rest_vertices"] = bodies.true_vertices(tensors, batch)
    model = ShapeNet()
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=2e-3, total_steps=epochs * ((len(fit) + batch - 1) // batch))
    history, best = [], (float("inf"), -1)
    started = time.perf_counter()
    for epoch in tqdm(range(epochs), desc="training", unit="epoch"):
        if epoch == epochs - vertex_epochs:
            best = (float("inf"), -1)  # keep only weights trained on the meshes too
        model.train()
        shuffled = rng.permutation(fit)
        for start in range(0, len(fit), batch):
            rows = torch.as_tensor(shuffled[start:start + batch])
            inputs = _augment({k: tensors[k][rows] for k in INPUTS}, side_dropout, rng)
            prediction = model(*(inputs[k] for k in INPUTS))
            loss = _loss(prediction, tensors, rows)["total"]
            if epoch >= epochs - vertex_epochs:
                loss = loss + VERTEX_WEIGHT * bodies.distance_cm(prediction, tensors, rows)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        errors = evaluate(model, tensors, torch.as_tensor(held))
        history.append({"epoch": epoch + 1} | errors)
        if errors["front_side_mae_cm"] < best[0]:
            best = (errors["front_side_mae_cm"], epoch + 1)
            buffer = io.BytesIO()
            torch.save(model.state_dict(), buffer)
            write_bytes_atomic(weights_path, buffer.getvalue())
    model.load_state_dict(torch.load(weights_path, weights_only=True))
    report = {"samples": count, "train": len(fit), "validation": len(held), "epochs": epochs,
              "vertex_epochs": vertex_epochs, "best_epoch": best[1],
              "seconds": round(time.perf_counter() - started, 1),
              "parameter_path_mae_cm": parameter_path_errors(model, tensors, held[:100]),
              "history": history, "data_manifest": data["manifest"]}
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


def _augment(inputs: dict, side_dropout: float, rng: np.random.Generator) -> dict:
    """Detector-like noise: jittered keypoints, masks grown or shrunk, side views dropped."""
    import torch

    out = dict(inputs)
    count = len(out["height_cm"])
    for view in ("front", "side"):
        noise = torch.randn_like(out[f"{view}_keypoints"]) * 0.004
        noise[:, 2::3] = 0.0
        out[f"{view}_keypoints"] = out[f"{view}_keypoints"] + noise
        mask = out[f"{view}_mask"]
        grow = torch.nn.functional.max_pool2d(mask, 3, 1, 1)
        shrink = -torch.nn.functional.max_pool2d(-mask, 3, 1, 1)
        pick = torch.as_tensor(rng.integers(0, 3, count))[:, None, None, None]
        out[f"{view}_mask"] = torch.where(pick == 1, grow, torch.where(pick == 2, shrink, mask))
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
    args = parser.parse_args(argv)
    report = train(args.data, args.out, args.epochs, seed=args.seed,
                   vertex_epochs=args.vertex_epochs)
    last = report["history"][report["best_epoch"] - 1]
    print(f"best epoch {report['best_epoch']}: validation MAE front {last['front_only_mae_cm']} cm,"
          f" front+side {last['front_side_mae_cm']} cm; weights in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
