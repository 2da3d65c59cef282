"""Brand insights with differential privacy (OpenDP's discrete Laplace): counts near the truth
at the stated noise, small groups withheld, each person counted once, and a storefront's
privacy budget spent and then refused."""
from __future__ import annotations

import numpy as np

from recommender.catalog import catalog
from recommender.insights import MIN_GROUP, Contributions, release, size_insights
from recommender.storefront_data import StorefrontData

SIZES, GIRTHS = ["XS", "S", "M", "L"], ["chest", "hip"]
TEE = next(item for item in catalog() if item.id == "tee-red")


def test_noisy_counts_lie_near_the_truth_and_small_groups_are_withheld():
    people = Contributions(
        sizes=["S"] * 120 + ["M"] * 150 + ["L"] * 4,
        verdicts=[{"chest": "fits", "hip": "loose"}] * 200 + [{"chest": "tight"}] * 74,
        returns=["M"] * 40 + ["S"] * 3)
    answers = [release(people, SIZES, GIRTHS, epsilon=1.0) for _ in range(300)]
    medium = np.array([a["sizes"]["M"] for a in answers], float)
    scale = (2 + len(GIRTHS)) / 1.0  # sensitivity over epsilon
    ratio = np.exp(-1 / scale)
    expected_sd = np.sqrt(2 * ratio) / (1 - ratio)  # the discrete Laplace's
    assert abs(medium.mean() - 150) < 1.5 and 0.8 < medium.std() / expected_sd < 1.2
    assert all(a["sizes"]["XS"] is None or a["sizes"]["XS"] >= MIN_GROUP for a in answers)
    assert sum(a["sizes"]["XS"] is None for a in answers) > 0.9 * len(answers)
    assert sum(a["returns"]["S"] is None for a in answers) > 0.8 * len(answers)
    fits = np.array([a["verdicts"]["chest"]["fits"] for a in answers], float)
    assert abs(fits.mean() - 200) < 1.5
    assert answers[0]["epsilon"] == 1.0 and "differential privacy" in answers[0]["guarantee"]


def test_a_shopper_counts_once_and_the_budget_runs_out(tmp_path):
    data = StorefrontData(f"sqlite:///{tmp_path / 'store.db'}", b"k" * 32)
    data.create_key("shop-a")
    data.create_key("shop-b")
    shop_a, shop_b = data.storefront_named("shop-a"), data.storefront_named("shop-b")
    for _ in range(40):  # one shopper returning M forty times is one return
        data.add_event(shop_a, "keen", TEE.id, "return", None, {"size": "M"})
    for number in range(40):  # forty shoppers returning S
        data.add_event(shop_a, f"shopper{number}", TEE.id, "return", None, {"size": "S"})
    answers = [size_insights(None, data, shop_a, TEE, 2.0, 1000.0) for _ in range(20)]
    assert np.mean([a["returns"]["S"] for a in answers]) > 30
    assert sum(a["returns"]["M"] is None for a in answers) >= 15
    assert answers[-1]["epsilon_left"] == 960.0

    assert data.spend_privacy(shop_b, 4.0, 10.0) == 6.0
    assert data.spend_privacy(shop_b, 4.0, 10.0) == 2.0
    assert data.spend_privacy(shop_b, 4.0, 10.0) is None  # refused, nothing spent
    assert data.spend_privacy(shop_b, 2.0, 10.0) == 0.0
    assert size_insights(None, data, shop_b, TEE, 0.1, 10.0) is None


def test_one_shopper_more_moves_each_answer_by_at_most_e_to_the_epsilon():
    """Empirically, over many releases: the chance of each released count with and without
    one more shopper (advised M, fitting at the chest, loose at the hip, returning M)."""
    epsilon, releases = 1.0, 4000
    without = Contributions(sizes=["M"] * 30, verdicts=[{"chest": "fits"}] * 30,
                            returns=["M"] * 20)
    with_one = Contributions(sizes=without.sizes + ["M"],
                             verdicts=without.verdicts + [{"chest": "fits", "hip": "loose"}],
                             returns=without.returns + ["M"])
    for field_of in (lambda a: a["sizes"]["M"], lambda a: a["verdicts"]["chest"]["fits"],
                     lambda a: a["returns"]["M"]):
        counts = [np.array([_or_withheld(field_of(release(people, SIZES, GIRTHS, epsilon)))
                            for _ in range(releases)]) for people in (without, with_one)]
        for value in range(int(np.median(counts[0])) - 6, int(np.median(counts[0])) + 7):
            chances = [(c == value).mean() for c in counts]
            if min(chances) * releases >= 100:  # enough draws to judge the ratio
                assert max(chances) / min(chances) < np.exp(epsilon) * 1.25, (value, chances)


def _or_withheld(count: int | None) -> int:
    return -1 if count is None else count  # "withheld" is one answer among the others
