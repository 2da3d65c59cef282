"""Size insights for a brand, released with differential privacy (OpenDP's discrete Laplace
mechanism): for one garment, how many shoppers were advised (or shown) each size, the fit
verdict per sizing girth (tight / fits / loose) of that size, and returns by size.

Each person counts once: an avatar by its latest done try-on of the garment, a shopper by their
latest return of it (``Contributions``). Adding or removing one person then changes the counts
by at most ``sensitivity`` in total (L1: one size, one verdict per girth, one return), and each
release adds discrete Laplace noise of scale ``sensitivity / epsilon``: whatever one person did,
the chance of any answer changes by a factor of at most e^epsilon. A storefront's releases add
up (sequential composition) against its privacy budget (``StorefrontData.spend_privacy``),
refused once spent. Counts below ``MIN_GROUP`` after noise are withheld (post-processing: it
costs no privacy).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

VERDICTS = ("tight", "fits", "loose")
MIN_GROUP = 10  # noisy counts below this are withheld (None)
GUARANTEE = ("epsilon-differential privacy per release (discrete Laplace noise), each person "
             "counted once; releases add up against the storefront's budget")


@dataclass
class Contributions:
    """One garment's data, one entry per person: the size each avatar was advised or shown
    (``sizes``) with its verdict per sizing girth (``verdicts``), and the size each shopper
    returned (``returns``)."""

    sizes: list[str] = field(default_factory=list)
    verdicts: list[dict[str, str]] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)


def release(contributions: Contributions, sizes: list[str], girths: list[str],
            epsilon: float) -> dict:
    """The noisy insights of ``contributions`` over the chart's ``sizes`` and sizing
    ``girths`` at privacy loss ``epsilon``."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    true = np.concatenate([
        [contributions.sizes.count(size) for size in sizes],
        [sum(v.get(girth) == verdict for v in contributions.verdicts)
         for girth in girths for verdict in VERDICTS],
        [contributions.returns.count(size) for size in sizes]]).astype(int)
    sensitivity = 2 + len(girths)  # one size, one verdict per girth, one return
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    mechanism = space >> dp.m.then_laplace(scale=sensitivity / epsilon)
    assert mechanism.map(sensitivity) <= epsilon * (1 + 1e-9)
    noisy = [int(x) for x in mechanism(true.tolist())]
    shown = [count if count >= MIN_GROUP else None for count in noisy]
    n = len(sizes)
    per_girth = iter(shown[n:n + len(girths) * len(VERDICTS)])
    return {"sizes": dict(zip(sizes, shown[:n])),
            "verdicts": {girth: {verdict: next(per_girth) for verdict in VERDICTS}
                         for girth in girths},
            "returns": dict(zip(sizes, shown[-n:])),
            "epsilon": epsilon, "min_group": MIN_GROUP, "guarantee": GUARANTEE}



def size_insights(tryons, data, storefront: str, item, epsilon: float, budget: float
                  ) -> dict | None:
    """The insights of catalog ``item`` for ``storefront`` at ``epsilon``, spent from its
    ``budget``; None (nothing spent) when too little of the budget is left. ``tryons`` is the
    storefront's ``TryOnService``, ``data`` its ``StorefrontData``."""
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fit_rules, load_chart, split_length

    chart = SIZE_CHARTS[item.kind]
    contributions, seen = Contributions(), set()
    for tryon_id, avatar_id in data.done_tryons_of_item(storefront, item.id):
        status = tryons.status(storefront, tryon_id)
        if avatar_id in seen or status is None or not status.get("fit"):
            continue
        seen.add(avatar_id)  # an avatar counts once: its latest try-on
        contributions.sizes.append(split_length(status["size"])[0])
        contributions.verdicts.append({girth: region["verdict"]
                                       for girth, region in status["fit"]["regions"].items()})
    returned = set()
    for shopper, context in data.returns_of_item(storefront, item.id):
        if shopper not in returned and isinstance(context, dict) and context.get("size"):
            returned.add(shopper)  # a shopper counts once: their latest return
            contributions.returns.append(split_length(str(context["size"]))[0])
    left = data.spend_privacy(storefront, epsilon, budget)
    if left is None:
        return None
    return {"garment": item.id, **release(contributions, list(load_chart(chart)),
                                          list(fit_rules(chart)), epsilon),
            "epsilon_left": round(left, 6)}
