"""Off-policy estimates of a policy's click rate from another policy's logged feedback:
inverse propensity weighting (IPW), its self-normalised form (SNIPW) and doubly robust (DR),
with importance weights clipped at ``clip``, each with a bootstrap percentile interval."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.logged_feedback import LoggedFeedback

ESTIMATORS = ("IPW", "SNIPW", "DR")


@dataclass(frozen=True)
class Estimate:
    """A click rate and its bootstrap interval (``level``, e.g. 0.95)."""

    value: float
    low: float
    high: float
    level: float

    def to_json(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high, "level": self.level}


def estimate_all(log: LoggedFeedback, probs: np.ndarray, expected: np.ndarray,
                 clip: float = 100.0, n_boot: int = 1000, level: float = 0.95,
                 seed: int = 0) -> dict[str, Estimate]:
    """IPW, SNIPW and DR estimates of the policy whose item probabilities in ``log``'s
    contexts are ``probs`` (n, n_items); ``expected`` (n, n_items) is a reward model's click
    probabilities (for DR)."""
    rows = np.arange(len(log))
    weight = np.minimum(probs[rows, log.action] / log.pscore, clip)
    direct = (probs * expected).sum(axis=1)
    terms = {"IPW": (weight * log.reward, None), "SNIPW": (weight * log.reward, weight),
             "DR": (direct + weight * (log.reward - expected[rows, log.action]), None)}
    resamples = np.random.default_rng(seed).integers(0, len(log), (n_boot, len(log)))
    return {name: _with_interval(numerator, denominator, resamples, level)
            for name, (numerator, denominator) in terms.items()}


def mean_with_interval(values: np.ndarray, n_boot: int = 1000, level: float = 0.95,
                       seed: int = 0) -> Estimate:
    """The mean of ``values`` (a logged policy's own clicks) with its bootstrap interval."""
    resamples = np.random.default_rng(seed).integers(0, len(values), (n_boot, len(values)))
    return _with_interval(np.asarray(values, dtype=float), None, resamples, level)


def _with_interval(numerator: np.ndarray, denominator: np.ndarray | None,
                   resamples: np.ndarray, level: float) -> Estimate:
    def value(index) -> np.ndarray:
        top = numerator[index].sum(axis=-1)
        return top / (denominator[index].sum(axis=-1) if denominator is not None
                      else index.shape[-1])

    boot = value(resamples)
    tail = (1 - level) / 2
    return Estimate(float(value(np.arange(len(numerator)))), float(np.quantile(boot, tail)),
                    float(np.quantile(boot, 1 - tail)), level)
