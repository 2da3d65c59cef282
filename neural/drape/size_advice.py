"""Size advice from drapes: the smallest size that is tight nowhere, and why the one below is.

A size is *tight* at one of its chart's sizing girths (``neural.garments.size_charts``: chest,
waist, hip) where its drape leaves less girth ease than the garment is cut with, by more than
half the step to the next larger size's body girth: the chart's own boundary between the two
sizes, measured on the draped garment at the wearer's own level instead of read off the chart.
*Loose* is more than half the step to the next smaller size over. The fabric's strain there is reported with the verdict; it is not a criterion
of its own (a skirt that settles below the waist is stretched where it rests although its
waistband is what the chart intends).
Inputs are fit.json's ``regions`` (``neural.drape.fit_map``); ease in cm, strain as a fraction.
"""
from __future__ import annotations

from neural.garments.size_charts import (fit_rules, interval_advice, load_chart,
                                         neighbour_steps)


def judge(regions: dict[str, dict], chart: str, size: str) -> dict[str, dict]:
    """Per sizing girth of ``chart``: the drape's ease, the ease size ``size`` is cut with, its
    strain, and a verdict (tight, fits, loose; ``not covered`` where the garment does not reach
    that level)."""
    verdicts = {}
    for region, rule in fit_rules(chart).items():
        found = regions.get(region)
        if found is None:
            verdicts[region] = {"verdict": "not covered"}
            continue
        down, up = neighbour_steps(chart, rule, size)
        over = found["ease_cm"] - rule.ease_cm
        verdict = "tight" if over < -up / 2 else "loose" if over > down / 2 else "fits"
        verdicts[region] = {"ease_cm": found["ease_cm"], "cut_for_ease_cm": rule.ease_cm,
                            "strain_p50": found["strain_p50"], "strain_p95": found["strain_p95"],
                            "verdict": verdict}
    return verdicts


def is_tight(verdicts: dict[str, dict]) -> bool:
    return any(v["verdict"] == "tight" for v in verdicts.values())


def next_size(chart: str, judged: dict[str, dict[str, dict]]) -> str | None:
    """The next size to drape, given the verdicts of those draped so far (at least one): down
    from the smallest that fits until one is tight, or up from the largest tight one until one
    fits; None when the smallest size that fits is found (or the chart runs out)."""
    sizes = list(load_chart(chart))
    fitting = [i for i, s in enumerate(sizes) if s in judged and not is_tight(judged[s])]
    if fitting:
        below = min(fitting) - 1
        return sizes[below] if below >= 0 and sizes[below] not in judged else None
    above = max(sizes.index(s) for s in judged) + 1
    return sizes[above] if above < len(sizes) else None


def recommend(chart: str, judged: dict[str, dict[str, dict]]) -> dict:
    """The advice from the draped sizes' verdicts: {size, reason, sizes: verdicts by size}.
    The smallest draped size that is not tight; when every draped size is tight, the next
    size up, undraped, if the chart has one. The reason says where the size below is tight,
    or that the chart has no smaller size, or that the size below was not draped."""
    chart_sizes = list(load_chart(chart))
    sizes = [s for s in chart_sizes if s in judged]
    fitting = [s for s in sizes if not is_tight(judged[s])]
    if not fitting:
        largest = sizes[-1]
        if largest == chart_sizes[-1]:
            pick, reason = largest, (f"{largest}: the largest size, still tight at the "
                                     f"{_worst(judged[largest])}")
        else:
            pick = chart_sizes[chart_sizes.index(largest) + 1]
            reason = (f"{pick}: {largest} is tight at the {_worst(judged[largest])} "
                      f"({pick} not draped)")
    else:
        pick = fitting[0]
        place = chart_sizes.index(pick)
        below = chart_sizes[place - 1] if place > 0 else None
        if below is None:
            reason = f"{pick}: the smallest size; {_summary(judged[pick])}"
        elif below in judged:  # and tight, as the pick is the smallest that is not
            reason = f"{pick}: {below} is tight at the {_worst(judged[below])}"
        else:
            reason = f"{pick}: {_summary(judged[pick])} ({below} not draped)"
    return {"size": pick, "reason": reason, "sizes": judged}


def advise(chart: str, judged: dict[str, dict[str, dict]], length: str = "",
           avatar: dict | None = None) -> dict:
    """The size advice, for the size stage and the storefront's try-ons alike: ``recommend``
    over the sizes draped (``judged``: verdicts by size, without its length), all draped in
    ``length`` (trousers, jeans; "" for garments without one); with the ``avatar``'s
    avatar.json document, also where its measurements' intervals straddle sizes and which
    photo would narrow them (``interval_advice``). {"size" (without length), "length" (or
    None), "reason", "sizes", "span" (None without an avatar)}."""
    advice = recommend(chart, judged)
    span = None
    if avatar is not None:
        from_intervals = interval_advice(chart, avatar, advice["reason"])
        advice["reason"], span = from_intervals["reason"], from_intervals["span"]
    return {"size": advice["size"], "length": length or None, "reason": advice["reason"],
            "sizes": advice["sizes"], "span": span}


def _worst(verdicts: dict[str, dict]) -> str:
    """'chest (ease 3.1 cm, cut for 12 cm)' for the tight girth short by the most."""
    tight = {r: v for r, v in verdicts.items() if v["verdict"] == "tight"}
    region = min(tight, key=lambda r: tight[r]["ease_cm"] - tight[r]["cut_for_ease_cm"])
    return f"{region} ({_numbers(tight[region])})"


def _summary(verdicts: dict[str, dict]) -> str:
    """'fits at the chest (...)', 'loose at the hip (...)' for each covered girth."""
    return ", ".join(f"{v['verdict']} at the {r} ({_numbers(v)})"
                     for r, v in verdicts.items() if v["verdict"] != "not covered")


def _numbers(verdict: dict) -> str:
    """'ease 3.1 cm, cut for 12 cm' and, where the fabric is stretched, '; strain 4 %'."""
    text = f"ease {verdict['ease_cm']:.1f} cm, cut for {verdict['cut_for_ease_cm']:g} cm"
    strain = verdict["strain_p50"] * 100
    return text + (f"; strain {strain:.0f} %" if strain >= 1 else "")
