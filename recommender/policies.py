"""Recommendation policies: each learns from logged feedback (``fit``) and gives, for each
context, a probability for every item (``action_probs``), the propensity a served
recommendation logs so that it can be evaluated offline.

UniformRandom and MostPopular are the baselines; BernoulliThompson is context-free Thompson
sampling on per-item click rates (the policy ZOZOTOWN logged); LinearThompson is Thompson
sampling on a Bayesian linear model of the click over shopper, item and shopper x item
features (``ArmFeatures``)."""
from __future__ import annotations

import numpy as np

from recommender.linear_model import ArmFeatures, LinearPosterior
from recommender.logged_feedback import LoggedFeedback

BATCH = 512  # contexts scored at once


class UniformRandom:
    name = "uniform random"

    def __init__(self, n_items: int):
        self.n_items = n_items

    def fit(self, data: LoggedFeedback) -> None:
        pass

    def action_probs(self, context: np.ndarray) -> np.ndarray:
        return np.full((len(context), self.n_items), 1.0 / self.n_items)


class MostPopular:
    """Always the item with the most clicks per impression (shrunk towards the mean rate by
    ``prior`` impressions)."""

    name = "most popular"

    def __init__(self, n_items: int, prior: float = 20.0):
        self.n_items, self.prior = n_items, prior
        self.best = 0

    def fit(self, data: LoggedFeedback) -> None:
        clicks = np.bincount(data.action, data.reward, self.n_items)
        shown = np.bincount(data.action, minlength=self.n_items)
        rate = (clicks + self.prior * data.click_rate()) / (shown + self.prior)
        self.best = int(np.argmax(rate))

    def action_probs(self, context: np.ndarray) -> np.ndarray:
        probs = np.zeros((len(context), self.n_items))
        probs[:, self.best] = 1.0
        return probs


class BernoulliThompson:
    """Beta(1 + clicks, 1 + misses) per item; an item's probability is how often its sampled
    rate is the highest (``n_samples`` draws)."""

    name = "Bernoulli TS (context-free)"

    def __init__(self, n_items: int, n_samples: int = 2000, seed: int = 0):
        self.n_items, self.n_samples, self.seed = n_items, n_samples, seed
        self.clicks = np.zeros(n_items)
        self.misses = np.zeros(n_items)

    def fit(self, data: LoggedFeedback) -> None:
        self.clicks += np.bincount(data.action, data.reward, self.n_items)
        self.misses += np.bincount(data.action, 1.0 - data.reward, self.n_items)

    def action_probs(self, context: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        draws = rng.beta(1 + self.clicks, 1 + self.misses, (self.n_samples, self.n_items))
        probs = np.bincount(draws.argmax(axis=1), minlength=self.n_items) / self.n_samples
        return np.tile(probs, (len(context), 1))


class LinearThompson:
    """Thompson sampling on ``LinearPosterior`` over ``ArmFeatures``: an item's probability in
    a context is how often it scores highest under ``n_samples`` parameter draws (spread times
    ``scale``), the prior as firm as ``prior_rounds`` rounds per coefficient."""

    name = "linear TS (contextual)"

    def __init__(self, features: ArmFeatures, n_samples: int = 200, scale: float = 1.0,
                 prior_rounds: float = 100.0, seed: int = 0):
        self.features, self.n_samples, self.scale, self.seed = features, n_samples, scale, seed
        self.prior_rounds = prior_rounds
        self.model: LinearPosterior | None = None

    def fit(self, data: LoggedFeedback) -> None:
        """The posterior after ``data``; the prior holds each coefficient near 0 as firmly as
        ``prior_rounds`` rounds of data would."""
        rate = max(data.click_rate(), 1e-4)
        noise = rate * (1 - rate)
        self.model = LinearPosterior(self.features.dim, self.prior_rounds / noise, noise)
        self.model.update(self.features.of_actions(data.context, data.action), data.reward)

    def action_probs(self, context: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        thetas = self.model.sample(self.n_samples, rng, self.scale)
        probs = np.zeros((len(context), self.features.n_items))
        for start in range(0, len(context), BATCH):
            best = self.features.scores(context[start:start + BATCH], thetas).argmax(axis=2)
            for row, winners in enumerate(best):
                probs[start + row] = np.bincount(winners, minlength=self.features.n_items)
        return probs / self.n_samples

    def expected_rewards(self, context: np.ndarray) -> np.ndarray:
        """The posterior mean click probability of every item: (n, n_items), in [0, 1]."""
        mean = self.model.mean()[None]
        rewards = np.concatenate([self.features.scores(context[s:s + BATCH], mean)[:, 0]
                                  for s in range(0, len(context), BATCH)])
        return np.clip(rewards + self.model.baseline, 0.0, 1.0)
