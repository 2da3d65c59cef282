"""Offline evaluation on the Open Bandit Dataset sample: each policy learns from the first part
of both logs (random and Bernoulli TS) and its click rate is estimated on the rest of the
random log with IPW, SNIPW and DR, beside the logged policies' own click rates on their held-out
rounds, all with bootstrap intervals.

The contextual policy's prior strength and exploration scale are chosen on the training period
alone (fit on its earlier rounds, SNIPW on its later random rounds), never on the test rounds.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from recommender.linear_model import ArmFeatures
from recommender.logged_feedback import LoggedFeedback, concatenate
from recommender.obd import load_campaign
from recommender.off_policy import ESTIMATORS, estimate_all, mean_with_interval
from recommender.policies import BernoulliThompson, LinearThompson, MostPopular, UniformRandom

PRIOR_ROUNDS = (100.0, 1000.0, 10000.0)
SCALES = (0.5, 1.0, 2.0)
REWARD_MODEL_PRIOR_ROUNDS = 1000.0  # the DR estimator's reward model


def evaluate(campaign: str = "all", train_fraction: float = 0.5,
             validation_fraction: float = 0.3, clip: float = 100.0, n_boot: int = 1000,
             seed: int = 0) -> dict:
    """The evaluation's results as JSON-able data (see ``table`` for a reading)."""
    data = load_campaign(campaign)
    parts = {policy: log.split(train_fraction) for policy, log in data.logs.items()}
    train = concatenate("train", [train for train, _ in parts.values()])
    test = parts["random"][1]
    features = ArmFeatures(data.n_user, data.item_features)
    chosen = _choose_linear(features, {p: t for p, (t, _) in parts.items()},
                            validation_fraction, clip, seed)
    reward_model = LinearThompson(features, prior_rounds=REWARD_MODEL_PRIOR_ROUNDS)
    reward_model.fit(train)
    expected = reward_model.expected_rewards(test.context)
    n_items = features.n_items
    policies = [UniformRandom(n_items), MostPopular(n_items), BernoulliThompson(n_items, seed=seed),
                LinearThompson(features, seed=seed, **chosen)]
    rows = []
    for policy in policies:
        policy.fit(train)
        estimates = estimate_all(test, policy.action_probs(test.context), expected, clip,
                                 n_boot, seed=seed)
        rows.append({"policy": policy.name,
                     **{name: estimate.to_json() for name, estimate in estimates.items()}})
    logged = {policy: mean_with_interval(held_out.reward, n_boot, seed=seed).to_json()
              for policy, (_, held_out) in parts.items()}
    return {"schema": "tryon.recommender_evaluation", "schema_version": 1,
            "dataset": f"Open Bandit Dataset sample (obp 0.4.1), campaign {campaign}",
            "train_rounds": len(train), "test_rounds": len(test), "test_log": "random",
            "clip": clip, "bootstrap": n_boot, "interval": 0.95,
            "contextual_policy": chosen, "policies": rows, "logged": logged}


def _choose_linear(features: ArmFeatures, trains: dict[str, LoggedFeedback],
                   validation_fraction: float, clip: float, seed: int) -> dict:
    """The prior strength and exploration scale whose policy, fitted on the training period's
    earlier rounds, has the best SNIPW on its later random rounds."""
    split = {policy: log.split(1 - validation_fraction) for policy, log in trains.items()}
    fit = concatenate("fit", [earlier for earlier, _ in split.values()])
    validation = split["random"][1]
    best, best_value = None, -1.0
    for prior_rounds, scale in product(PRIOR_ROUNDS, SCALES):
        policy = LinearThompson(features, n_samples=100, scale=scale, prior_rounds=prior_rounds,
                                seed=seed)
        policy.fit(fit)
        probs = policy.action_probs(validation.context)
        value = estimate_all(validation, probs, np.zeros_like(probs), clip,
                             n_boot=1)["SNIPW"].value
        if value > best_value:
            best, best_value = {"prior_rounds": prior_rounds, "scale": scale}, value
    return best


def table(result: dict) -> str:
    """The results as a text table."""
    lines = [f"{result['dataset']}: trained on {result['train_rounds']} rounds (the first part "
             f"of both logs), estimated on {result['test_rounds']} held-out rounds of the "
             f"{result['test_log']} log; weights clipped at {result['clip']:g}; "
             f"{result['interval']:.0%} bootstrap intervals ({result['bootstrap']} resamples)",
             f"{'policy':<30}" + "".join(f"{name:>26}" for name in ESTIMATORS)]
    for row in result["policies"]:
        lines.append(f"{row['policy']:<30}" + "".join(
            f"{_interval(row[name]):>26}" for name in ESTIMATORS))
    lines.append("logged policies' own click rates on their held-out rounds: " + ", ".join(
        f"{policy} {_interval(value)}" for policy, value in result["logged"].items()))
    chosen = result["contextual_policy"]
    lines.append(f"contextual policy chosen on the training period: prior of "
                 f"{chosen['prior_rounds']:g} rounds, exploration scale {chosen['scale']:g}")
    return "\n".join(lines)


def _interval(estimate: dict) -> str:
    return f"{estimate['value']:.4f} [{estimate['low']:.4f}, {estimate['high']:.4f}]"
