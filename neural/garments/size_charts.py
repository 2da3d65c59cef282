"""Size charts kept as data (``neural/garments/data/*_sizes.yaml``): columns, one row per size,
and the chart's own sizing rule (``fit``: which body girths pick the size, and the ease the
garment is cut with over them). A chart may also sell lengths besides sizes (``lengths``: jeans'
L28, L30, ...); a size then names its length after ``LENGTH_MARK`` ("M-L30"), and a plain "M"
keeps the size row's own length. All values in cm."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from neural.errors import InputError

DATA = Path(__file__).parent / "data"
LENGTH_MARK = "-"


@dataclass(frozen=True)
class FitRule:
    """One girth a chart sizes by: the fit-map region (chest, waist, hip), the chart column
    holding the wearer's girth each size is made for, and the garment's ease over it (cm)."""

    region: str
    body_column: str
    ease_cm: float

    @property
    def measurement(self) -> str:
        """The avatar measurement this rule reads (``chest_girth``, ...)."""
        return f"{self.region}_girth"


@dataclass(frozen=True)
class LengthRule:
    """The lengths a chart sells besides its sizes: each option's value replaces the size row's
    ``column``; the chart's rule picks the option nearest the wearer's ``measurement`` less
    ``clearance_cm`` (trousers: the hem that far above the floor)."""

    column: str
    measurement: str
    clearance_cm: float
    options: dict[str, float]


@lru_cache(maxsize=None)
def _read(filename: str) -> dict:
    return yaml.safe_load((DATA / filename).read_text())


@lru_cache(maxsize=None)
def load_chart(filename: str) -> dict[str, dict[str, float]]:
    """Size name -> measurements (cm) from a chart file in ``DATA``, smallest size first."""
    data = _read(filename)
    return {size: dict(zip(data["columns"], map(float, row))) for size, row in data["sizes"].items()}


def split_length(size: str) -> tuple[str, str]:
    """"M-L30" -> ("M", "L30"); "M" -> ("M", "")."""
    base, _, length = size.partition(LENGTH_MARK)
    return base, length


def with_length(size: str, length: str) -> str:
    """("M", "L30") -> "M-L30"; ("M", "") -> "M"."""
    return f"{size}{LENGTH_MARK}{length}" if length else size


def chart_row(filename: str, size: str, garment: str) -> dict[str, float]:
    """One size's row, with its length's value where ``size`` names one ("M-L30"); an unknown
    size or length is the user's error."""
    chart = load_chart(filename)
    base, length = split_length(size)
    if base not in chart:
        raise InputError(f"unknown size {base!r} for {garment}: choose one of {', '.join(chart)}")
    if not length:
        return chart[base]
    rule = length_rule(filename)
    if rule is None:
        raise InputError(f"{garment} comes in one length: give the size alone ({base})")
    if length not in rule.options:
        raise InputError(f"unknown length {length!r} for {garment}: choose one of "
                         f"{', '.join(rule.options)}")
    return {**chart[base], rule.column: rule.options[length]}


def length_rule(filename: str) -> LengthRule | None:
    """The chart's lengths, or None where it sells one length per size."""
    lengths = _read(filename).get("lengths")
    if lengths is None:
        return None
    return LengthRule(lengths["column"], lengths["body"], float(lengths["clearance"]),
                      {name: float(value) for name, value in lengths["options"].items()})


def fitted_size(filename: str, measurements_cm: dict[str, float]) -> str:
    """The chart's own rule for size and, where it sells lengths, length: "M" or "M-L30"."""
    size, rule = chart_size(filename, measurements_cm), length_rule(filename)
    if rule is None:
        return size
    wanted = measurements_cm[rule.measurement] - rule.clearance_cm
    length = min(rule.options, key=lambda name: abs(rule.options[name] - wanted))
    return with_length(size, length)


def sizes_around(filename: str, size: str, reach: int = 1) -> list[str]:
    """``size`` ("M" or "M-L30") and the chart's ``reach`` sizes either side of it, smallest
    first, all in its length."""
    base, length = split_length(size)
    sizes = list(load_chart(filename))
    at = sizes.index(base)
    return [with_length(s, length) for s in sizes[max(0, at - reach):at + reach + 1]]


def fit_rules(filename: str) -> dict[str, FitRule]:
    """The chart's sizing girths by region."""
    return {region: FitRule(region, rule["body"], float(rule["ease"]))
            for region, rule in _read(filename)["fit"].items()}


def neighbour_steps(filename: str, rule: FitRule, size: str) -> tuple[float, float]:
    """How far (cm) the rule's body girth of ``size`` lies from the next smaller and the next
    larger size's (the end sizes borrow their one neighbour's step)."""
    values = [row[rule.body_column] for row in load_chart(filename).values()]
    index = list(load_chart(filename)).index(size)
    steps = np.diff(values)
    down = steps[index - 1] if index > 0 else steps[0]
    up = steps[index] if index < len(steps) else steps[-1]
    return float(down), float(up)


def chart_size(filename: str, measurements_cm: dict[str, float]) -> str:
    """The chart's own rule: for each sizing girth, the size made for the nearest body girth;
    the largest of those (a garment must close round the widest part)."""
    chart = load_chart(filename)
    sizes = list(chart)
    picks = [min(range(len(sizes)), key=lambda i: abs(chart[sizes[i]][rule.body_column]
                                                      - measurements_cm[rule.measurement]))
             for rule in fit_rules(filename).values()]
    return sizes[max(picks)]


def size_span(filename: str, measurements_cm: dict[str, float],
              confidence: dict[str, dict]) -> dict | None:
    """The chart's sizes across the avatar's 90 % intervals (``measurement_confidence[NAME]
    ["interval_cm"]`` of avatar.json) of the girths it sizes by: {"sizes": [smallest,
    largest], "straddles": whether they differ, "measurement": the girth whose interval spans
    the most sizes, "interval_cm": its interval}; None where an interval is not known."""
    sizes = list(load_chart(filename))
    low, high, spans = dict(measurements_cm), dict(measurements_cm), {}
    for rule in fit_rules(filename).values():
        interval = (confidence.get(rule.measurement) or {}).get("interval_cm")
        if interval is None:
            return None
        low[rule.measurement], high[rule.measurement] = interval
        alone = [chart_size(filename, measurements_cm | {rule.measurement: end})
                 for end in interval]
        spans[rule.measurement] = (sizes.index(alone[1]) - sizes.index(alone[0]), interval)
    widest = max(spans, key=lambda name: spans[name][0])
    smallest, largest = chart_size(filename, low), chart_size(filename, high)
    return {"sizes": [smallest, largest], "straddles": smallest != largest,
            "measurement": widest, "interval_cm": list(spans[widest][1])}


# girth -> the garment a photo shows it in
FITTED_PHOTO = {"chest_girth": "a fitted top", "waist_girth": "a fitted top",
                "hip_girth": "fitted trousers", "thigh_girth": "fitted trousers"}


def span_note(span: dict, has_side_photo: bool, clothing_seen: dict | None = None) -> str:
    """What to add to the advice when ``size_span`` straddles sizes: why, and which photo
    would narrow it: in a fitted top or fitted trousers where avatar.json's ``clothing_seen``
    says that region looked loose, else in close-fitting clothes; or a side photo."""
    low, high = span["interval_cm"]
    smallest, largest = span["sizes"]
    from neural.fitting.measurement_confidence import REGIONS

    region = {girth: name for name, girth in REGIONS.items()}.get(span["measurement"])
    garment = FITTED_PHOTO.get(span["measurement"], "close-fitting clothes")
    if ((clothing_seen or {}).get(region) or {}).get("looks") != "loose":
        garment = "close-fitting clothes"
    better = f"a photo in {garment}" + ("" if has_side_photo else " or a side photo")
    return (f"; your {span['measurement'].removesuffix('_girth')} reads {low:g}-{high:g} cm, "
            f"between {smallest} and {largest}: {better} would narrow it")

def interval_advice(filename: str, avatar: dict, reason: str) -> dict:
    """{"span": ``size_span`` of avatar.json's document ``avatar``, "reason": ``reason`` with,
    where the span straddles sizes, what its intervals say and which photo would narrow them
    (``span_note``)}."""
    span = size_span(filename, avatar["measurements"], avatar.get("measurement_confidence", {}))
    if span and span["straddles"]:
        side = avatar.get("diagnostics", {}).get("mode") == "front+side"
        reason += span_note(span, side, avatar.get("clothing_seen"))
    return {"span": span, "reason": reason}
