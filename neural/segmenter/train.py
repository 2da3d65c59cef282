"""Train the clothing segmenter on the dressed synthetic train split:
`python -m neural.segmenter.train --data data/synthetic` (make train-segmenter).

10 % of the samples are held back for validation (the test splits are never read). Cross
entropy per pixel, with photometric jitter (brightness, contrast, colour balance) and mirror
images, so that the network learns skin against cloth rather than the renderer's colours.
Each label's loss is weighted by the inverse square root of its share of the training pixels
(skin and hair are small next to garments and background). Saves the best weights (float32
state dict, by validation mean IoU over the person's classes) and a JSON report next to them.
Deterministic for a seed on CPU.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np

from neural.photo.pixel_labels import LABELS

DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "segmenter.pt"
SPLITS = ("dressed_train",)


def train(data_dir: str, weights_path: str, epochs: int = 30, batch: int = 32,
          seed: int = 0) -> dict:
    """Fit the network; returns the report (validation pixel accuracy and IoU per class)."""
    import torch
    from tqdm import tqdm

    from neural.files import write_bytes_atomic, write_json_atomic
    from neural.segmenter.dataset import load_crops
    from neural.segmenter.model import ClothingSegmenter

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    parts = [load_crops(Path(data_dir) / split) for split in SPLITS]
    images = torch.as_tensor(np.concatenate([p["image"] for p in parts]))
    labels = torch.as_tensor(np.concatenate([p["labels"] for p in parts]))
    order = rng.permutation(len(images))
    held, fit = order[: max(1, len(order) // 10)], order[max(1, len(order) // 10):]
    frequency = torch.bincount(labels[fit].flatten(), minlength=len(LABELS)).double()
    class_weights = (frequency.sum() / frequency.clamp(min=1.0)).sqrt()  # skin is rare
    class_weights = (class_weights / class_weights.mean()).float()
    model = ClothingSegmenter()
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=3e-3, total_steps=epochs * ((len(fit) + batch - 1) // batch))
    history, best = [], (-1.0, -1)
    started = time.perf_counter()
    for epoch in tqdm(range(epochs), desc="training", unit="epoch"):
        model.train()
        shuffled = rng.permutation(fit)
        for start in range(0, len(fit), batch):
            rows = torch.as_tensor(shuffled[start:start + batch])
            image, target = _augment(images[rows], labels[rows], rng)
            loss = torch.nn.functional.cross_entropy(model(image), target, weight=class_weights)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        scores = evaluate(model, images[held], labels[held])
        history.append({"epoch": epoch + 1} | scores)
        if scores["person_mean_iou"] > best[0]:
            best = (scores["person_mean_iou"], epoch + 1)
            buffer = io.BytesIO()
            torch.save(model.state_dict(), buffer)
            write_bytes_atomic(weights_path, buffer.getvalue())
    report = {"crops": len(images), "train": len(fit), "validation": len(held), "epochs": epochs,
              "best_epoch": best[1], "seconds": round(time.perf_counter() - started, 1),
              "best": history[best[1] - 1], "history": history}
    write_json_atomic(Path(weights_path).with_suffix(".json"), report)
    return report


def evaluate(model, images, labels, batch: int = 64) -> dict:
    """Pixel accuracy over the person (not background) and IoU per label."""
    import torch

    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(images[i:i + batch]).argmax(1)
                               for i in range(0, len(images), batch)])
    person = labels > 0
    scores = {"person_pixel_accuracy": round(float(
        (predicted[person] == labels[person]).float().mean()), 4)}
    ious = {}
    for name, value in LABELS.items():
        union = ((predicted == value) | (labels == value)).sum()
        if union:
            ious[name] = round(float(((predicted == value) & (labels == value)).sum() / union), 4)
    scores["iou"] = ious
    scores["person_mean_iou"] = round(float(np.mean(
        [iou for name, iou in ious.items() if name != "background"])), 4)
    return scores


def _augment(image, target, rng: np.random.Generator):
    """Photometric jitter of the RGB channels (the mask is left alone) and mirroring."""
    import torch

    image = image.clone()
    count = len(image)
    gain = torch.as_tensor(rng.uniform(0.6, 1.4, (count, 1, 1, 1)), dtype=image.dtype)
    tint = torch.as_tensor(rng.uniform(0.85, 1.15, (count, 3, 1, 1)), dtype=image.dtype)
    mean = image[:, :3].mean(dim=(1, 2, 3), keepdim=True)
    contrast = torch.as_tensor(rng.uniform(0.7, 1.3, (count, 1, 1, 1)), dtype=image.dtype)
    image[:, :3] = ((image[:, :3] - mean) * contrast + mean) * gain * tint
    image[:, :3] = image[:, :3].clamp(0, 1)
    flip = torch.as_tensor(rng.uniform(size=count) < 0.5)
    image[flip] = image[flip].flip(-1)
    target = target.clone()
    target[flip] = target[flip].flip(-1)
    return image, target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/synthetic")
    parser.add_argument("--out", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not (Path(args.data) / SPLITS[0]).is_dir():
        print(f"tryon: error: no {SPLITS[0]} split under {args.data}: run make bench-data",
              file=sys.stderr)
        return 2
    report = train(args.data, args.out, args.epochs, seed=args.seed)
    print(f"best epoch {report['best_epoch']}: {report['best']}; saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
