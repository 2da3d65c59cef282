"""Garments made elsewhere, draped: the import corpus on bodies of both sexes and several sizes.

Usage: python tests/benchmarks/bench_imports.py [--bodies woman,man,...] [--sources a,b]
                                                [--workers N] [--work DIR] [--json OUT]
Every garment of tests/data/corpus/corpus.yaml (sewing patterns and meshes from several outside
sources; those kept by reference are skipped where they are absent) is imported as `tryon garment
--pattern / --mesh` would, then draped on each body by the drape stage (its retries included,
failures kept). A drape passes when it passes every simulation gate
(``neural.drape.fit_metrics.SIMULATION_GATES``); strain is how tight the garment is on that
body, reported beside, never a failure. A garment refused at import (one line saying why) is
counted apart from the drapes. Prints a row per garment and the pass rate per source; saves
JSON. Resumable: each drape's outcome is kept under --work.

Beside the corpus, each sleeved OBJ mesh is also draped as a tool would have exported it with
the avatar's arms raised towards a T-pose and lowered towards the sides
(``garment_variants.posed_variant``): source "posed variants", not counted as garments.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"
SHARED_ASSETS = ROOT.parent / "shared" / "assets"
# Anny phenotypes over its average body: both sexes, slim to heavy, short to tall
BODIES = {
    "woman": {"gender": 1.0},
    "man": {"gender": 0.0},
    "woman_plus": {"gender": 1.0, "weight": 0.85},
    "woman_petite": {"gender": 1.0, "height": 0.2, "weight": 0.35},
    "man_heavy": {"gender": 0.0, "weight": 0.8, "muscle": 0.6},
    "man_slim_tall": {"gender": 0.0, "weight": 0.25, "height": 0.8},
}
FABRIC = "cotton"
VARIANTS = "posed variants"


def corpus_entries(sources: list[str] | None) -> list[dict]:
    """corpus.yaml's garments with a name, their source and a path (None when absent here)."""
    import yaml

    entries = []
    for source, garments in yaml.safe_load((CORPUS / "corpus.yaml").read_text()).items():
        if sources and source not in sources:
            continue
        for garment in garments:
            where = garment.get("file") or garment.get("shared") or garment["package"]
            path = _path(garment)
            entries.append(garment | {"source": source, "name": f"{source}/{Path(where).stem}",
                                      "path": str(path) if path else None})
    return entries


def _path(garment: dict) -> Path | None:
    if "file" in garment:
        return CORPUS / garment["file"]
    if "shared" in garment:
        path = SHARED_ASSETS / garment["shared"]
        return path if path.is_file() else None
    import importlib.util

    package, _, inside = garment["package"].partition("/")
    spec = importlib.util.find_spec(package)
    path = Path(spec.origin).parent / inside if spec and spec.origin else None
    return path if path and path.is_file() else None


def posed_entries(entries: list[dict], work: Path) -> list[dict]:
    """The posed variants of the corpus's sleeved OBJ meshes, written under ``work``."""
    sys.path.insert(0, str(Path(__file__).parent))
    from garment_variants import POSES, posed_variant

    variants = []
    for entry in entries:
        if entry["format"] != "mesh" or not entry["path"] or Path(entry["path"]).suffix != ".obj":
            continue
        for pose in POSES:
            name = f"{entry['name']}_{pose}"
            path = work / "variants" / f"{name.replace('/', '__')}.obj"
            if path.is_file() or posed_variant(Path(entry["path"]), entry.get("up", "y"), pose,
                                               path):
                variants.append(entry | {"source": VARIANTS, "name": name, "path": str(path)})
    return variants


def write_bodies(work: Path, names: list[str]) -> None:
    from neural.body.anny_body import BodyParameters
    from neural.fitting.avatar_file import write_body_avatar

    for name in names:
        if not (work / "bodies" / name / "avatar.json").is_file():
            body = BodyParameters(phenotypes=BodyParameters().phenotypes | BODIES[name])
            write_body_avatar(work / "bodies" / name, body, f"bench body {name}")


def import_garment(entry: dict, work: Path) -> str | None:
    """Import the garment into ``work/garments/<name>``; the refusal's line, or None."""
    from neural.errors import InputError
    from neural.stages import mesh_garment_stage, pattern_garment_stage

    out = work / "garments" / entry["name"]
    if (out / "garment.json").is_file():
        return None
    try:
        if entry["format"] == "pattern":
            pattern_garment_stage(entry["path"], FABRIC, out)
        else:
            mesh_garment_stage(entry["path"], FABRIC, out, entry.get("up", "y"),
                               entry.get("unit"))
    except InputError as refused:
        return str(refused).replace(f"{ROOT}/", "")  # the same on every checkout
    return None


def drape_one(task: tuple[str, str, str]) -> dict:
    """Drape garment ``name`` on body ``body`` (kept if it fails); the outcome."""
    from neural.quiet import quiet_warp
    from neural.stages import drape_stage

    quiet_warp()
    work, name, body = task
    work = Path(work)
    started = time.perf_counter()
    try:
        fit = drape_stage(work / "bodies" / body, work / "garments" / name,
                          work / "drapes" / name / body, "cpu", keep_failed=True)
    except Exception as error:  # noqa: BLE001 - a crash is this benchmark's worst outcome
        return {"garment": name, "body": body, "passed": False,
                "reason": f"error: {type(error).__name__}: {error}", "attempts": [],
                "strain_p95": float("nan"), "seconds": round(time.perf_counter() - started, 1)}
    return {"garment": name, "body": body, "passed": fit["simulation"]["passed"],
            "reason": fit["simulation"]["reason"],
            "attempts": [a["name"] for a in fit["simulation"]["attempts"]],
            "strain_p95": fit["strain_p95"], "max_penetration_mm": fit["max_penetration_mm"],
            "seam_gap_max_mm": fit["seam_gap_max_mm"], "moving_fraction": fit["moving_fraction"],
            "self_intersecting_edges": fit["self_intersecting_edges"],
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", default=",".join(BODIES))
    parser.add_argument("--sources", help="only these sources of corpus.yaml")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", default=str(ROOT / "out" / "bench_imports"))
    parser.add_argument("--json", default=str(Path(__file__).parent / "results" / "imports.json"))
    args = parser.parse_args(argv)
    work, bodies = Path(args.work), args.bodies.split(",")
    unknown = set(bodies) - set(BODIES)
    if unknown:
        raise SystemExit(f"unknown bodies {sorted(unknown)}: choose from {', '.join(BODIES)}")
    entries = corpus_entries(args.sources.split(",") if args.sources else None)
    entries += posed_entries(entries, work)
    write_bodies(work, bodies)
    for entry in entries:
        entry["refused"] = import_garment(entry, work) if entry["path"] else None
    results_dir = work / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    todo = [(str(work), e["name"], body) for e in entries
            if e["path"] and not e["refused"] for body in bodies
            if not (results_dir / f"{e['name'].replace('/', '__')}__{body}.json").is_file()]
    with ProcessPoolExecutor(args.workers) as pool:
        for outcome in tqdm(pool.map(drape_one, todo), total=len(todo), desc="draping",
                            unit="drape"):
            name = outcome["garment"].replace("/", "__")
            (results_dir / f"{name}__{outcome['body']}.json").write_text(json.dumps(outcome))
    report = summarise(entries, bodies, results_dir)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1))
    print_table(report)
    print(f"saved {args.json}")
    return 0


def summarise(entries: list[dict], bodies: list[str], results_dir: Path) -> dict:
    """Per garment its drapes' outcomes (or why it was refused / absent); per source the pass
    rate over its drapes."""
    garments, sources = [], {}
    for entry in entries:
        row = {"garment": entry["name"], "source": entry["source"], "format": entry["format"]}
        if entry["path"] is None:
            row["absent"] = True
        elif entry["refused"]:
            row["refused"] = entry["refused"]
        else:
            row["drapes"] = [json.loads((results_dir / f"{entry['name'].replace('/', '__')}"
                                                       f"__{body}.json").read_text())
                             for body in bodies]
        garments.append(row)
        tally = sources.setdefault(entry["source"], {"garments": 0, "refused": 0, "absent": 0,
                                                     "drapes": 0, "passed": 0})
        tally["garments"] += 1
        tally["absent"] += bool(row.get("absent"))
        tally["refused"] += bool(row.get("refused"))
        tally["drapes"] += len(row.get("drapes", []))
        tally["passed"] += sum(d["passed"] for d in row.get("drapes", []))
    drapes = sum(s["drapes"] for s in sources.values())
    passed = sum(s["passed"] for s in sources.values())
    return {"bodies": {name: BODIES[name] for name in bodies}, "fabric": FABRIC,
            "sources": sources, "drapes": drapes, "passed": passed,
            "pass_rate": round(passed / drapes, 3) if drapes else None, "garments": garments}


def print_table(report: dict) -> None:
    print(f"{'garment':52s} {'drapes passed':>13s}  strain p95 (max)  failures / refusal")
    for row in report["garments"]:
        if row.get("absent"):
            print(f"{row['garment']:52s} {'absent here':>13s}")
            continue
        if row.get("refused"):
            print(f"{row['garment']:52s} {'refused':>13s}  {'':16s}  {row['refused'][:90]}")
            continue
        drapes = row["drapes"]
        passed = sum(d["passed"] for d in drapes)
        strain = max((d["strain_p95"] for d in drapes if d["attempts"]), default=float("nan"))
        failures = "; ".join(f"{d['body']}: {d['reason']}" for d in drapes if not d["passed"])
        print(f"{row['garment']:52s} {passed:>6d} of {len(drapes):<4d}  {strain * 100:13.1f} %"
              f"  {failures[:90]}")
    print()
    for source, tally in report["sources"].items():
        rate = f"{tally['passed'] / tally['drapes'] * 100:.0f} %" if tally["drapes"] else "-"
        print(f"{source:28s} {tally['garments']:3d} garments ({tally['refused']} refused, "
              f"{tally['absent']} absent), {tally['passed']}/{tally['drapes']} drapes pass "
              f"({rate})")
    if report["drapes"]:
        print(f"all: {report['passed']}/{report['drapes']} drapes pass "
              f"({report['pass_rate'] * 100:.0f} %)")


if __name__ == "__main__":
    sys.exit(main())
