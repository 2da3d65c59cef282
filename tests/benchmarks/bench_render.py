"""Lookbook stills: Cycles' time and noise at 1024 x 1536 px on this machine (make bench-render).

Fits the bundled photo (examples/pifu_ryota.png at 175 cm), puts a t-shirt M on it (the learned
drape: the benchmark is the picture, not the cloth) and renders its front view in the packshot
template through the render stage, then renders that very scene again under each
configuration: ``baseline`` (what the render stage did before it was tuned: Cycles' default
bounces, caustics on, OIDN at high quality) and ``product`` (``addon.scene.look.configure_cycles`` as it is
now), each at the given sample counts. Each configuration renders twice with different seeds;
its noise is the RMS difference of the two pictures over sqrt(2) (8-bit levels, after OIDN):
a picture is as clean as another when its noise is no higher. Prints a table (seconds per
image, noise, and each against the baseline at the same samples) and saves JSON.

Usage: python tests/benchmarks/bench_render.py [--samples 32,64] [--resolution 1024x1536]
       [--device auto] [--json OUT]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PHOTO, HEIGHT_CM = ROOT / "examples" / "pifu_ryota.png", 175.0
# Cycles' own defaults (Blender 4.5) for what configure_cycles now sets: the render stage's
# settings before tuning (session 27)
CYCLES_DEFAULTS = {"max_bounces": 12, "diffuse_bounces": 4, "glossy_bounces": 4,
                   "transmission_bounces": 12, "transparent_max_bounces": 8,
                   "caustics_reflective": True, "caustics_refractive": True,
                   "denoising_quality": "HIGH"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="32,64")
    parser.add_argument("--resolution", default="1024x1536")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/render.json"))
    args = parser.parse_args(argv)
    resolution = tuple(int(side) for side in args.resolution.split("x"))
    samples = [int(count) for count in args.samples.split(",")]

    from neural.files import write_json_atomic

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        device = _subject(folder, resolution, args.device)
        rows = []
        for count in samples:
            for name in ("baseline", "product"):
                rows.append({"configuration": name, "samples": count}
                            | _measure(folder, name, count))
    for row in rows:
        base = next(r for r in rows if r["configuration"] == "baseline"
                    and r["samples"] == row["samples"])
        row["time_vs_baseline"] = round(row["seconds"] / base["seconds"], 3)
        row["noise_vs_baseline"] = round(row["noise_levels"] / base["noise_levels"], 3)
    print(f"\nfront view, packshot, {resolution[0]}x{resolution[1]} px, device {device}")
    print(f"{'configuration':15s}{'samples':>8s}{'s / image':>11s}{'noise':>8s}"
          f"{'time x':>8s}{'noise x':>9s}")
    for row in rows:
        print(f"{row['configuration']:15s}{row['samples']:>8d}{row['seconds']:>11.1f}"
              f"{row['noise_levels']:>8.2f}{row['time_vs_baseline']:>8.2f}"
              f"{row['noise_vs_baseline']:>9.2f}")
    write_json_atomic(args.json, {"device": device, "resolution": list(resolution),
                                  "template": "packshot", "rows": rows})
    print(f"saved {args.json}")
    return 0


def _subject(folder: Path, resolution: tuple[int, int], device: str) -> str:
    """Fit, garment, learned drape and one render stage run (which builds the scene "look"
    the measurements render again); returns the device the render stage used."""
    from neural.drape.drape_garment import learned_drape_files
    from neural.stages import fit_stage, garment_stage
    from render_farm.render_stage import render_stage

    fit_stage(PHOTO, HEIGHT_CM, folder / "avatar", "cpu")
    garment_stage("tshirt", "M", "cotton", folder / "garment")
    learned_drape_files(folder / "avatar", folder / "garment", folder / "drape")
    document = render_stage(folder / "drape", folder / "render", ["front"], 1, resolution,
                            "packshot", device)
    return document["device"]


def _measure(folder: Path, configuration: str, samples: int) -> dict:
    """Seconds per image and noise (8-bit levels) of the look under ``configuration``."""
    import bpy
    from PIL import Image

    from addon.scene.look import configure_cycles
    from addon.scene.quiet import blender_output_silenced

    scene = bpy.data.scenes["look"]
    resolution = (scene.render.resolution_x, scene.render.resolution_y)
    device = "cpu" if scene.cycles.device == "CPU" else "auto"
    configure_cycles(scene, samples, resolution, device)
    if configuration == "baseline":
        for name, value in CYCLES_DEFAULTS.items():
            setattr(scene.cycles, name, value)
    pictures, seconds = [], []
    for seed in (1, 2):
        scene.cycles.seed = seed
        scene.render.filepath = str(folder / f"{configuration}_{samples}_{seed}.png")
        started = time.perf_counter()
        with blender_output_silenced():
            bpy.ops.render.render(write_still=True, scene=scene.name)
        seconds.append(time.perf_counter() - started)
        pictures.append(np.asarray(Image.open(scene.render.filepath).convert("RGB"), float))
    noise = float(np.sqrt(np.mean((pictures[0] - pictures[1]) ** 2)) / np.sqrt(2.0))
    return {"seconds": round(float(np.mean(seconds)), 2), "noise_levels": round(noise, 3)}


if __name__ == "__main__":
    sys.exit(main())
