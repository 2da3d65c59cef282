"""How soon a shopper sees a body, and a garment on it, after uploading photos (make bench-instant).

Runs the real stages in one warm process (models loaded and the photo detector kept, as in a
warm engine) on held-out synthetic people (``--split``, Cycles photos with their truth) and
prints, median over the people, per photo set (front; front + side):
- ``detect``: mediapipe on the decoded photos (and the clothing segmenter);
- ``fit``: the shape network and the fit (``fit_body``), the figure issue 27's targets name;
- ``avatar``: detect + fit + measuring and writing avatar.json / avatar.glb;
- ``first garment on body``: avatar + garment (``--garment``, the chart's size for the body)
  + the learned drape and the storefront's preview picture of it: from the upload's bytes to
  the first garment-on-body picture;
- ``draped garment (physics)``: the same with the physics drape (Newton, from the learned
  drape where one ships).
Then, per garment kind with a learned drape, on ``--drape-bodies`` sampled bodies the model
never saw (seeds past ``train_drape``'s): the learned drape's time (ms) and its distance to
Newton's drape from the placed panels (mean and p95, mm), the deepest cloth inside the body
(mm) and its strain p95 against Newton's (points); Newton's time to pass the gates from the
placed panels and from the learned drape, and how far those two Newton drapes lie apart (mean,
mm: the physics' own spread, the floor for any prediction of it). Then the moving model (the
first person's learned drape skinned to their armature, ``neural.drape.moving_drape``): the
seconds to make moving.glb, its size, and the frame rate headless Chromium (SwiftShader: WebGL on
this CPU) draws the storefront's viewer at while it plays the walk, beside its rate turning the
same model unanimated (auto-rotate: what the viewer draws for a still drape).
Saves JSON (default tests/benchmarks/results/instant.json).

Usage: python tests/benchmarks/bench_instant.py [--data data/synthetic] [--split dressed_test]
       [--limit N] [--drapes N] [--garment KIND] [--drape-bodies N] [--device D] [--json OUT]
"""
from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import numpy as np
from bench_avatar import device_name  # noqa: E402 - the scripts' folder is on the path

ROOT = Path(__file__).resolve().parents[2]
MODES = ("front", "front+side")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data/synthetic"))
    parser.add_argument("--split", default="dressed_test")
    parser.add_argument("--limit", type=int, default=12, help="people (the split's first N)")
    parser.add_argument("--drapes", type=int, default=3, help="people also draped")
    parser.add_argument("--garment", default="tshirt")
    parser.add_argument("--drape-bodies", type=int, default=5,
                        help="held-out bodies per garment kind for the learned drape's rows")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/instant.json"))
    args = parser.parse_args(argv)

    from tqdm import tqdm

    from neural.device import resolve_device
    from neural.errors import InputError
    from neural.files import write_json_atomic
    from neural.photo.person_detector import keep_detector

    device = resolve_device(args.device)
    people = [(sample, _meta(sample))
              for sample in sorted((Path(args.data) / args.split).glob("[0-9]*.npz"))
              if sample.with_name(f"{sample.stem}_side.png").is_file()][: args.limit]
    if not people:
        print(f"no test people under {args.data}/{args.split}: run `make bench-data` first",
              file=sys.stderr)
        return 2
    keep_detector()
    _avatar(people[0][0], people[0][1], True, device)  # warm-up: first calls, kernels
    _first_garment(people[0], args.garment, device, learned=True)
    timings = {mode: {"detect": [], "fit": [], "avatar": []} for mode in MODES}
    refused = {mode: 0 for mode in MODES}  # photo sets the fit refuses (a side photo unlike
    first_garment, physics_garment = [], []  # its front one, feet hidden): counted, not timed
    for index, (sample, meta) in enumerate(tqdm(people, desc="people", unit="person")):
        for mode in MODES:
            try:
                for name, seconds in _avatar(sample, meta, mode == "front+side", device).items():
                    timings[mode][name].append(seconds)
            except InputError:
                refused[mode] += 1
        if index < args.drapes:
            first_garment.append(_first_garment((sample, meta), args.garment, device, True))
            physics_garment.append(_first_garment((sample, meta), args.garment, device, False))

    table = {mode: {name: round(statistics.median(values), 3) for name, values in rows.items()}
             for mode, rows in timings.items()}
    table["front"]["first garment on body"] = round(statistics.median(first_garment), 3)
    table["front"]["draped garment (physics)"] = round(statistics.median(physics_garment), 3)
    _print(table, device)
    moving = moving_model_rows(people[0], args.garment, device)
    print(f"\nmoving model: made in {moving['seconds_to_make']:.2f} s, "
          f"{moving['megabytes']:.2f} MB; the viewer draws {moving['walking_fps']:.0f} frames "
          f"a second walking, {moving['turning_fps']:.0f} turning it still")
    learned = learned_drape_rows(args.drape_bodies, device)
    write_json_atomic(args.json, {"device": device_name(device), "split": args.split,
                                  "people": len(people), "refused": refused,
                                  "drapes": len(first_garment),
                                  "garment": args.garment, "median_seconds": table,
                                  "moving_model": moving, "learned_drape": learned})
    print(f"saved {args.json}")
    return 0


def _meta(sample: Path) -> dict:
    """A test person's record (its truth among it)."""
    with np.load(sample) as data:
        return json.loads(str(data["meta"]))


def _avatar(sample: Path, meta: dict, with_side: bool, device: str,
            out: Path | None = None) -> dict[str, float]:
    """Seconds of detect, fit and the whole avatar for one person's photos (held in memory, as
    uploads are); the avatar is written into ``out`` (else a folder thrown away)."""
    from neural.photo.person_detector import decode_photo, open_detector
    from neural.stages import fit_observed

    photos = {view: sample.with_name(f"{sample.stem}_{view}.png").read_bytes()
              for view in (("front", "side") if with_side else ("front",))}
    height = meta["measurements_cm"]["stature"]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with open_detector() as detector:
            seen = {}
            for view, payload in photos.items():
                rgb, digest = decode_photo(payload, f"the {view} photo")
                seen[view] = detector.observe(rgb, f"the {view} photo", digest)
        detected = time.perf_counter()
        avatar = fit_observed(seen["front"], seen.get("side"), height,
                              out or Path(folder) / "avatar", device)
        ended = time.perf_counter()
    diagnostics = avatar["diagnostics"]
    return {"detect": detected - started,
            "fit": diagnostics["network_seconds"] + diagnostics["seconds"],
            "avatar": ended - started}


def _first_garment(person: tuple[Path, dict], kind: str, device: str, learned: bool) -> float:
    """Seconds from the front photo's bytes to the garment draped on the fitted body: the
    avatar, the garment in the size its chart gives the body, then either what the
    storefront's try-on preview does (the learned drape and its picture) or the physics
    drape."""
    from neural.drape.drape_garment import learned_preview
    from neural.stages import drape_stage

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        started = time.perf_counter()
        _avatar_in_garment(person, kind, device, folder)
        if learned:
            learned_preview(folder / "avatar", folder / "garment", folder / "draped.glb")
            _preview_renderer().render(folder / "draped.glb", folder / "preview.png")
        else:
            drape_stage(folder / "avatar", folder / "garment", folder / "drape", device)
        return time.perf_counter() - started


def _avatar_in_garment(person: tuple[Path, dict], kind: str, device: str, folder: Path) -> None:
    """The person's avatar from their front photo (``folder``/avatar) and ``kind`` in the size
    its chart gives the body, in cotton (``folder``/garment)."""
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fitted_size
    from neural.stages import garment_stage

    sample, meta = person
    _avatar(sample, meta, False, device, folder / "avatar")
    avatar = json.loads((folder / "avatar" / "avatar.json").read_text())
    garment_stage(kind, fitted_size(SIZE_CHARTS[kind], avatar["measurements"]), "cotton",
                  folder / "garment")


VIEWER_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="model-viewer.min.js"></script></head><body style="margin:0">
<model-viewer src="moving.glb" animation-name="walk" style="width:600px;height:800px">
</model-viewer></body></html>"""
COUNT_FRAMES = """seconds => new Promise(done => { let frames = 0; const start = performance.now();
  const tick = now => { frames++; if (now - start < seconds * 1000) requestAnimationFrame(tick);
    else done(frames / ((now - start) / 1000)); }; requestAnimationFrame(tick); })"""


def moving_model_rows(person: tuple[Path, dict], kind: str, device: str,
                      seconds: float = 4.0) -> dict:
    """The person's moving model (avatar, ``kind`` in its chart's size, learned drape): the
    seconds to make it (warm), its size, and the frames a second headless Chromium draws the
    viewer at over ``seconds`` while it walks and while it turns unanimated."""
    import shutil
    import threading
    from functools import partial
    from http.server import ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    from headless import CHROMIUM, FLAGS
    from neural.drape.drape_garment import learned_preview
    from neural.drape.moving_drape import moving_glb
    from recommender.api.widget import VIEWER

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        _avatar_in_garment(person, kind, device, folder)
        (folder / "drape").mkdir()
        learned_preview(folder / "avatar", folder / "garment", folder / "drape" / "draped.glb")
        moving_glb(folder / "drape", folder / "avatar", device=device)  # warm: first calls
        started = time.perf_counter()
        model = moving_glb(folder / "drape", folder / "avatar", device=device)
        made = time.perf_counter() - started
        site = folder / "site"
        site.mkdir()
        (site / "moving.glb").write_bytes(model)
        (site / "index.html").write_text(VIEWER_PAGE)
        shutil.copy(VIEWER / "model-viewer.min.js", site)
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 600, "height": 800})
                page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
                viewer = "document.querySelector('model-viewer')"
                page.wait_for_function(f"{viewer}.loaded", timeout=120_000)
                page.evaluate(f"{viewer}.setAttribute('auto-rotate-delay', '0'); "
                              f"{viewer}.setAttribute('auto-rotate', '')")
                turning = page.evaluate(COUNT_FRAMES, seconds)
                page.evaluate(f"{viewer}.removeAttribute('auto-rotate'); {viewer}.play()")
                page.wait_for_function(f"!{viewer}.paused", timeout=10_000)
                walking = page.evaluate(COUNT_FRAMES, seconds)
                browser.close()
        finally:
            server.shutdown()
    return {"seconds_to_make": round(made, 3), "megabytes": round(len(model) / 1e6, 3),
            "walking_fps": round(walking, 1), "turning_fps": round(turning, 1)}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the benchmark prints its table, not requests
        pass


@functools.lru_cache(maxsize=1)
def _preview_renderer():
    """The storefront's preview renderer, made once (as a server does at start)."""
    from recommender.tryon_preview import PreviewRenderer

    return PreviewRenderer()


HELD_OUT_SEED = 8_900_000  # past train_drape's training and held-out seeds


def learned_drape_rows(bodies: int, device: str) -> dict:
    """Per garment kind with a learned drape: medians over ``bodies`` held-out sampled bodies
    (see the module's note; ``learned_start_passes``: the share whose physics drape from the
    learned start passes its gates); prints a table."""
    from tqdm import tqdm

    from neural.drape.learned_drape import load_model
    from neural.drape.train_drape import KINDS

    rows = {}
    for kind in [kind for kind in KINDS if load_model(kind) is not None]:
        found = [_learned_vs_physics(kind, seed, device)
                 for seed in tqdm(range(HELD_OUT_SEED, HELD_OUT_SEED + bodies),
                                  desc=f"{kind} held-out drapes", unit="body", leave=False)]
        found = [row for row in found if row is not None]
        rows[kind] = {name: round(float((np.mean if name == "learned_start_passes" else
                                         np.median)([row[name] for row in found])), 2)
                      for name in found[0]} | {"bodies": len(found)} if found else {}
    print(f"\nlearned drape against Newton on held-out bodies, median per body ({device})")
    print(f"{'kind':9s}{'ms':>7s}{'mean mm':>9s}{'p95 mm':>8s}{'Newton-Newton':>14s}"
          f"{'inside mm':>10s}{'strain':>8s}{'Newton s':>10s}{'from learned s':>16s}"
          f"{'gates':>7s}")
    for kind, row in rows.items():
        print(f"{kind:9s}{row['learned_ms']:7.1f}{row['mean_mm']:9.1f}{row['p95_mm']:8.1f}"
              f"{row['newton_vs_newton_mean_mm']:14.1f}{row['deepest_inside_mm']:10.2f}"
              f"{row['strain_p95_gap_points']:8.1f}{row['newton_s']:10.2f}"
              f"{row['newton_from_learned_s']:16.2f}{row['learned_start_passes']:7.2f}")
    return rows


def _learned_vs_physics(kind: str, seed: int, device: str) -> dict | None:
    """One held-out body: the learned drape against Newton's from the placed panels, and
    Newton from the learned drape (None when Newton's own drape fails a gate)."""
    from neural.device import warp_device
    from neural.drape.cloth_sim import simulate_cloth
    from neural.drape.drape_garment import ATTEMPTS, LEARNED_START, prepare_drape
    from neural.drape.fit_metrics import (failed_simulation_gates, fit_report,
                                          penetration_depths, yarn_strain)
    from neural.drape.learned_drape import BodyClearance, load_model, predict
    from neural.drape.train_drape import drape_choice
    from neural.fitting.avatar_file import write_body_avatar
    from neural.garments.garment_file import write_garment
    from neural.synthetic.body_sampler import sample_real_body

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        avatar = write_body_avatar(folder / "avatar", sample_real_body(seed), f"seed {seed}")
        size, fabric = drape_choice(kind, avatar["measurements"],
                                    np.random.default_rng([seed, 11]))
        write_garment(folder / "garment", kind, size, fabric)
        setup = prepare_drape(folder / "avatar", folder / "garment")
    body = (setup.body.vertices, setup.body.faces)
    started = time.perf_counter()
    learned = predict(load_model(kind), setup, BodyClearance(*body))
    learned_ms = (time.perf_counter() - started) * 1000

    def newton(start: np.ndarray, settings) -> tuple[np.ndarray, float, bool]:
        began = time.perf_counter()
        done = simulate_cloth(start, setup.mesh.faces, setup.mesh.uv, setup.mesh.seam_pairs,
                              *body, setup.fabric, warp_device(device), settings)
        report = fit_report(done.positions, setup.mesh.uv, setup.mesh.faces,
                            setup.mesh.seam_pairs, *body, done.speeds)
        return done.positions, time.perf_counter() - began, not failed_simulation_gates(report)

    physics, physics_s, passed = newton(setup.start_positions, ATTEMPTS[0].settings)
    if not passed:
        return None
    warm, warm_s, warm_passed = newton(learned, LEARNED_START.settings)
    distance = np.linalg.norm(learned - physics, axis=1) * 1000
    newton_spread = np.linalg.norm(warm - physics, axis=1) * 1000
    strain = [np.percentile(yarn_strain(p, setup.mesh.uv, setup.mesh.faces), 95)
              for p in (learned, physics)]
    return {"learned_ms": learned_ms, "mean_mm": float(distance.mean()),
            "p95_mm": float(np.percentile(distance, 95)),
            "newton_vs_newton_mean_mm": float(newton_spread.mean()),
            "deepest_inside_mm": float(penetration_depths(learned, *body).max() * 1000),
            "strain_p95_gap_points": float(100 * (strain[0] - strain[1])),
            "newton_s": physics_s, "newton_from_learned_s": warm_s,
            "learned_start_passes": float(warm_passed)}


def _print(table: dict, device: str) -> None:
    print(f"\nmedian seconds after an upload, warm ({device_name(device)})")
    print(f"{'':26s}" + "".join(f"{mode:>14s}" for mode in MODES))
    for name in ("detect", "fit", "avatar", "first garment on body", "draped garment (physics)"):
        print(f"{name:26s}" + "".join(
            f"{table[mode][name]:14.2f}" if name in table[mode] else f"{'':14s}"
            for mode in MODES))


if __name__ == "__main__":
    sys.exit(main())
