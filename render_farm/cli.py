"""The ``tryon`` command: fit, garment, drape, render, and run (a whole job locally)."""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import signal
import sys
from pathlib import Path

from tqdm import tqdm

from neural.errors import InputError


PROGRESS_MODES = ("bars", "jsonl")


def main(argv: list[str] | None = None) -> int:
    """Entry point; bad input prints one line on stderr and exits 2. Ctrl-C (SIGINT) or SIGTERM
    stops the command cleanly (exit 130), even where the parent ignores SIGINT, as a shell does
    for background jobs."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        result = args.handler(args)
    except InputError as error:
        print(f"tryon: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tryon: interrupted; finished outputs are kept and a re-run resumes", file=sys.stderr)
        return 130
    print(result)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tryon", description=__doc__)
    parser.add_argument("--version", action="version",
                        version=f"tryon {importlib.metadata.version('tryon')}")
    parser.add_argument("--progress", choices=PROGRESS_MODES, default="bars",
                        help="bars on the terminal, or jsonl: one JSON object per step on stderr "
                             '({"stage": ..., "done": ..., "total": ...}) for a program to read')
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    fit = sub.add_parser("fit", help="photo(s) + height -> avatar.json, avatar.glb")
    fit.add_argument("photo", help="front photo, whole body")
    fit.add_argument("--side", help="optional side (profile) photo of the same person")
    fit.add_argument("--height", type=float, required=True, help="stature in cm (100-230)")
    _add_out_and_device(fit, "out/avatar")
    fit.set_defaults(handler=_fit)

    garment = sub.add_parser("garment", help="pattern -> garment.json, garment.glb")
    source = garment.add_mutually_exclusive_group(required=True)
    source.add_argument("kind", nargs="?", help="a built-in garment: tshirt, shirt, jacket, hoodie, skirt, trousers, jeans, dress")
    source.add_argument("--pattern", help="GarmentCode / Garment-Pattern-Generator JSON spec")
    source.add_argument("--mesh", help="OBJ / GLB whose UV islands are the pattern's panels")
    garment.add_argument("--mesh-up", choices=("y", "z"), default="y",
                         help="the mesh's up axis (y: facing +Z, z: facing -Y)")
    garment.add_argument("--mesh-unit", type=float,
                         help="metres per mesh unit (default: guessed from the garment's size)")
    garment.add_argument("--size", default="M",
                         help="XS..XXL; trousers and jeans also take a length: M-L30 (L24..L34)")
    garment.add_argument("--fabric", default="cotton")
    garment.add_argument("--out", default="out/garment")
    garment.set_defaults(handler=_garment)

    drape = sub.add_parser("drape", help="avatar + garment -> draped.glb, fit.json")
    drape.add_argument("avatar")
    drape.add_argument("garment")
    drape.add_argument("--over", help="a finished drape folder whose garments this one is worn over")
    _add_out_and_device(drape, "out/drape")
    drape.set_defaults(handler=_drape)

    size = sub.add_parser("size", help="avatar + built-in garment -> size advice (drapes sizes)")
    size.add_argument("avatar")
    size.add_argument("garment", help="a built-in garment (tshirt, shirt, ...) or its garment folder")
    size.add_argument("--fabric", help="fabric preset (default: the garment folder's, or cotton)")
    _add_out_and_device(size, "out/size")
    size.set_defaults(handler=_size)

    render = sub.add_parser("render", help="draped.glb -> PNG per view, render.json")
    render.add_argument("draped")
    render.add_argument("--template", default="studio")
    render.add_argument("--views", default="front")
    render.add_argument("--samples", type=int, default=32)
    render.add_argument("--resolution", default="512x768", help="WxH in pixels")
    render.add_argument("--fitmap", nargs="?", const="strain", choices=("strain", "ease"),
                        help="colour the garment by its fit map (default strain) with a legend")
    _add_out_and_device(render, "out/render")
    render.set_defaults(handler=_render)

    run = sub.add_parser("run", help="run a job file locally (resumable)")
    run.add_argument("job")
    _add_out_and_device(run, "out/job")
    run.set_defaults(handler=_run)
    return parser


def _add_out_and_device(parser: argparse.ArgumentParser, default_out: str) -> None:
    from neural.device import DEVICE_CHOICES

    parser.add_argument("--out", default=default_out)
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")


def _bar(desc: str, mode: str):
    """A progress callback whose bar appears with the first step (so errors print alone); under
    ``--progress jsonl`` each step is a JSON line on stderr instead."""
    bars: list[tqdm] = []

    def update(done: int, total: int) -> None:
        if mode == "jsonl":
            print(json.dumps({"stage": desc, "done": done, "total": total}), file=sys.stderr,
                  flush=True)
            return
        if not bars:
            bars.append(tqdm(desc=desc, total=total, unit="step", leave=False))
        bars[0].n = done
        bars[0].refresh()
        if done == total:
            bars[0].close()

    return update


def _fit(args) -> str:
    from render_farm.stages import fit_stage

    doc = fit_stage(args.photo, args.height, args.out, args.device,
                    _bar("fitting", args.progress), args.side)
    for note in doc["diagnostics"]["notes"]:
        print(f"note: {note}", file=sys.stderr)
    return f"avatar written to {args.out}: " + json.dumps(doc["measurements"])


def _garment(args) -> str:
    from render_farm.stages import garment_stage, mesh_garment_stage, pattern_garment_stage

    if args.pattern:
        doc = pattern_garment_stage(args.pattern, args.fabric, args.out)
    elif args.mesh:
        doc = mesh_garment_stage(args.mesh, args.fabric, args.out, args.mesh_up, args.mesh_unit)
    else:
        doc = garment_stage(args.kind, args.size, args.fabric, args.out)
    return f"garment {doc['garment']} {doc['size']} written to {args.out}"


def _drape(args) -> str:
    from render_farm.stages import drape_stage

    doc = drape_stage(args.avatar, args.garment, args.out, args.device,
                      _bar("draping", args.progress), args.over)
    gates = ", ".join(f"{k} {'pass' if v['pass'] else 'FAIL'}" for k, v in doc["gates"].items())
    return f"draped in {doc['wall_time_s']} s, written to {args.out} ({gates})"


def _size(args) -> str:
    from neural.garments.garment_file import read_garment
    from render_farm.stages import size_stage

    kind, fabric = args.garment, args.fabric
    if Path(kind).exists():  # a garment folder or file: its kind and fabric
        document = read_garment(kind)[0]
        kind, fabric = document["garment"], fabric or document["fabric"]["name"]
    doc = size_stage(args.avatar, kind, fabric or "cotton", args.out, args.device,
                     lambda size: _bar(f"draping {size}", args.progress))
    length = f", length {doc['length']}" if doc["length"] else ""
    return f"{doc['reason']} (size chart: {doc['chart_size']}{length}; details in {args.out})"


def _render(args) -> str:
    from render_farm.stages import render_stage

    try:
        width, height = (int(x) for x in args.resolution.lower().split("x"))
    except ValueError as error:
        raise InputError(f"resolution must be WxH, e.g. 512x768: {args.resolution}") from error
    doc = render_stage(args.draped, args.out, args.views.split(","), args.samples,
                       (width, height), args.template, args.device, args.fitmap)
    return f"rendered {', '.join(doc['images'])} into {args.out} on {doc['device']}"


def _run(args) -> str:
    from render_farm.local_runner import run_job

    result = run_job(args.job, args.out, args.device, _bar("tasks", args.progress))
    lines = [f"{result['ran']} tasks run, {result['skipped']} already done; images:"]
    lines += [f"  {p}" for p in result["images"]]
    return "\n".join(lines + [f"contact sheet: {result['contact_sheet']}"])


if __name__ == "__main__":
    sys.exit(main())
