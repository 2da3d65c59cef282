"""Train the learned drapes (``learned_drape``) on physics drapes: `make train-drape`.

For each garment kind: sampled adult bodies (``body_sampler.sample_real_body``, seeds from
``FIRST_SEED``), each in the size the chart gives it shifted as shoppers shift it
(``dressing.SIZE_SHIFTS``: one too small to two too large) and a fabric the kind is made of,
draped by Newton's cloth on the CPU with the standard attempt. Drapes that fail a simulation
gate are left out. The first ``--drapes`` bodies train the model, the next ``--held-out`` test
it: mean and 95th-percentile vertex distance to the physics drape (mm), the deepest point inside
the body (mm), and the strain p95 against the physics drape's. Saves
``neural/drape/weights/<kind>.npz`` and a JSON report beside it. Resumable: each drape is kept
under ``--work`` (about 3-6 s a drape per worker here). Deterministic for given seeds.
Placed and settled positions and the drape's features come from ``learned_drape`` itself.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from neural.drape.learned_drape import WEIGHTS_DIR

FIRST_SEED = 8_000_000
KINDS = ("tshirt", "shirt", "hoodie", "jacket", "trousers", "jeans", "skirt", "dress")


def drape_sample(kind: str, seed: int, work: str) -> str | None:
    """The physics drape of ``kind`` on body ``seed`` as ``work/<kind>/<seed>.npz`` (made
    unless there); its path, or None when the drape failed a simulation gate."""
    out = Path(work) / kind / f"{seed}.npz"
    failed = out.with_suffix(".failed")
    if out.is_file():
        return str(out)
    if failed.is_file():
        return None
    import tempfile

    from neural.drape.cloth_sim import simulate_cloth
    from neural.drape.drape_garment import ATTEMPTS, prepare_drape
    from neural.drape.fit_metrics import failed_simulation_gates, fit_report
    from neural.files import write_bytes_atomic
    from neural.fitting.avatar_file import write_body_avatar
    from neural.garments.garment_file import write_garment
    from neural.synthetic.body_sampler import sample_real_body

    rng = np.random.default_rng([seed, 11])
    body = sample_real_body(seed)
    with tempfile.TemporaryDirectory() as folder:
        avatar = write_body_avatar(Path(folder) / "avatar", body, f"sample_real_body {seed}")
        size, fabric = drape_choice(kind, avatar["measurements"], rng)
        write_garment(Path(folder) / "garment", kind, size, fabric)
        setup = prepare_drape(Path(folder) / "avatar", Path(folder) / "garment")
    started = time.perf_counter()
    settings = ATTEMPTS[0].settings
    simulated = simulate_cloth(setup.start_positions, setup.mesh.faces, setup.mesh.uv,
                               setup.mesh.seam_pairs, setup.body.vertices, setup.body.faces,
                               setup.fabric, "cpu", settings)
    seconds = time.perf_counter() - started
    report = fit_report(simulated.positions, setup.mesh.uv, setup.mesh.faces,
                        setup.mesh.seam_pairs, setup.body.vertices, setup.body.faces,
                        simulated.speeds)
    out.parent.mkdir(parents=True, exist_ok=True)
    failed_gates = failed_simulation_gates(report)
    if failed_gates:
        failed.write_text(", ".join(failed_gates) + "\n")
        return None
    import io

    from neural.drape.learned_drape import setup_example

    example = setup_example(setup, simulated.positions)
    buffer = io.BytesIO()
    np.savez(buffer, panel=example.panel, uv=example.uv, placed=example.placed,
             settled=example.settled, features=example.features, faces=setup.mesh.faces,
             seam_pairs=setup.mesh.seam_pairs, body_vertices=setup.body.vertices,
             body_faces=setup.body.faces, strain_p95=report["strain_p95"],
             physics_seconds=seconds, size=size, fabric=fabric,
             panels=np.array(setup.mesh.panel_names),
             feature_names=np.array(_feature_names(setup)))
    write_bytes_atomic(out, buffer.getvalue())
    return str(out)


def drape_choice(kind: str, measurements_cm: dict, rng: np.random.Generator
                 ) -> tuple[str, str]:
    """The size (the chart's for these measurements, shifted by a ``SIZE_SHIFTS`` step, kept
    on the chart) and a fabric of ``kind`` for one training drape."""
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fitted_size, load_chart, split_length, with_length
    from neural.synthetic.dressing import FABRICS, SIZE_SHIFTS

    chart = SIZE_CHARTS[kind]
    sizes = list(load_chart(chart))
    base, length = split_length(fitted_size(chart, measurements_cm))
    step = int(rng.choice(SIZE_SHIFTS))
    size = sizes[int(np.clip(sizes.index(base) + step, 0, len(sizes) - 1))]
    return with_length(size, length), str(rng.choice(FABRICS[kind]))


def _feature_names(setup) -> list[str]:
    from neural.drape.learned_drape import feature_names

    return list(feature_names(setup.garment["size_chart_row"]))


def load_example(path: str):
    """A kept drape as a ``DrapeExample`` and its extras (body mesh, faces, strain p95...)."""
    from neural.drape.learned_drape import DrapeExample

    with np.load(path) as stored:
        extras = {key: stored[key] for key in stored.files}
    example = DrapeExample(extras["panel"], extras["uv"], extras["placed"], extras["features"],
                           extras["settled"])
    return example, extras


def evaluate(model, paths: list[str]) -> dict:
    """The model against the physics drapes at ``paths``: vertex distance (mm, mean and p95
    over all vertices; and the placed panels' mean, where the physics starts), the deepest
    point inside the body (mm), strain p95 difference
    (points of strain, %) and the prediction's time (ms, median; the body's ``BodyClearance``
    built beforehand, once per body as a try-on does)."""
    from neural.drape.fit_metrics import penetration_depths, yarn_strain
    from neural.drape.learned_drape import BodyClearance, finish

    distances, placed, depths, strain_gaps, times = [], [], [], [], []
    for path in paths:
        example, extras = load_example(path)
        clearance = BodyClearance(extras["body_vertices"], extras["body_faces"])
        started = time.perf_counter()
        predicted = finish(example.placed + model.moves(example), extras["faces"], example.uv,
                           extras["seam_pairs"], clearance)
        times.append(time.perf_counter() - started)
        distances.append(np.linalg.norm(predicted - example.settled, axis=1))
        placed.append(np.linalg.norm(example.placed - example.settled, axis=1))
        depths.append(penetration_depths(predicted, extras["body_vertices"],
                                         extras["body_faces"]).max())
        strain = yarn_strain(predicted, example.uv, extras["faces"])
        strain_gaps.append(100 * (np.percentile(strain, 95) - float(extras["strain_p95"])))
    distances = np.concatenate(distances) * 1000
    return {"drapes": len(paths), "mean_mm": round(float(distances.mean()), 1),
            "p95_mm": round(float(np.percentile(distances, 95)), 1),
            "placed_mean_mm": round(float(np.concatenate(placed).mean() * 1000), 1),
            "deepest_inside_mm": round(float(max(depths) * 1000), 2),
            "strain_p95_gap_points": {"mean": round(float(np.mean(strain_gaps)), 2),
                                      "worst": round(float(max(strain_gaps, key=abs)), 2)},
            "predict_ms_median": round(float(np.median(times) * 1000), 1)}


def train_kind(kind: str, drapes: int, held_out: int, work: str, workers: int,
               out_dir: Path = WEIGHTS_DIR) -> dict:
    """Drape (or find kept drapes), fit, evaluate and save one kind's model into ``out_dir``
    (``<kind>.npz`` and ``<kind>.json``); its report."""
    from tqdm import tqdm

    from neural.drape.learned_drape import fit
    from neural.files import write_json_atomic

    seeds = range(FIRST_SEED, FIRST_SEED + drapes + held_out)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        jobs = pool.map(drape_sample, [kind] * len(seeds), seeds, [work] * len(seeds))
        paths = list(tqdm(jobs, total=len(seeds), desc=f"{kind} drapes", unit="drape"))
    train = [p for p in paths[:drapes] if p]
    test = [p for p in paths[drapes:] if p]
    if not train:
        raise SystemExit(f"no {kind} drape passed its gates: nothing to learn from")
    examples, first = zip(*(load_example(path) for path in train))
    model = fit(kind, tuple(first[0]["panels"].tolist()),
                tuple(first[0]["feature_names"].tolist()), list(examples))
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / f"{kind}.npz")
    physics = [float(load_example(p)[1]["physics_seconds"]) for p in test]
    report = {"kind": kind, "first_seed": FIRST_SEED, "trained_on": len(train),
              "failed_physics_drapes": paths.count(None),
              "held_out": evaluate(model, test) if test else None,
              "physics_seconds_median": round(float(np.median(physics)), 2) if physics else None}
    write_json_atomic(out_dir / f"{kind}.json", report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--drapes", type=int, default=150, help="training drapes per kind")
    parser.add_argument("--held-out", type=int, default=20, help="test drapes per kind")
    parser.add_argument("--work", default="out/train_drape")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(WEIGHTS_DIR), help="where the models go")
    args = parser.parse_args(argv)
    for kind in args.kinds.split(","):
        if kind not in KINDS:
            raise SystemExit(f"unknown garment kind {kind!r}: choose from {', '.join(KINDS)}")
        report = train_kind(kind, args.drapes, args.held_out, args.work, args.workers,
                            Path(args.out))
        held = report["held_out"] or {}
        print(f"{kind}: {report['trained_on']} drapes; held-out {held.get('drapes', 0)}: "
              f"mean {held.get('mean_mm')} mm, p95 {held.get('p95_mm')} mm, deepest inside "
              f"{held.get('deepest_inside_mm')} mm, {held.get('predict_ms_median')} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
