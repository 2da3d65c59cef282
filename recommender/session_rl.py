"""Recommendations over a whole shopping session by reinforcement learning: Q-learning with a
linear function of shopper, garment and session features, learning online from each step's
reward (try-ons, outfits and purchases, minus returns; ``rewards.REWARD``). Every
recommendation comes with its propensity (a softened greedy choice), so its logs can be
evaluated offline. With ``gamma=0`` the same learner is a myopic contextual bandit. Beside
the value-based learners, a policy-gradient one (REINFORCE with a baseline) learns the
policy's own parameters from each session's returns. The
learners know nothing of where their shoppers come from: the storefront's session policy
(``storefront_sessions``) and the simulated storefront (``evaluate_sim``) both drive them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from recommender.catalog import CATEGORIES


class SessionFeatures:
    """psi(observation, item) for every item: (n_items, dim). Item identity; its fit score on
    the shopper (and squared); gender x garment category; body size x cut (when the items
    have cuts); which categories the outfit holds x the item's category; shown before in the
    session; the step (of a session of ``steps``); a constant.

    An observation holds ``gender`` (0 man, 1 woman, 0.5 unknown), ``fit`` (n_items,),
    ``outfit`` (categories), ``shown`` (item indices), ``step`` and, with cuts, ``size``."""

    def __init__(self, categories: Sequence[str], steps: int, cut: np.ndarray | None = None):
        self.n_items = len(categories)
        self.category = np.array([[c == name for name in CATEGORIES] for c in categories],
                                 float)
        self.cut = None if cut is None else np.asarray(cut, float)
        self.steps = steps
        self.dim = (self.n_items + 2 + 2 * len(CATEGORIES) + (self.cut is not None)
                    + len(CATEGORIES) ** 2 + 3)

    def __call__(self, observation: dict) -> np.ndarray:
        n = self.n_items
        outfit = np.array([c in observation["outfit"] for c in CATEGORIES], float)
        shown = np.zeros(n)
        shown[list(observation["shown"])] = 1.0
        fit = observation["fit"]
        gender = observation["gender"]
        sized = [] if self.cut is None else [(observation["size"] * self.cut)[:, None]]
        return np.concatenate([
            np.eye(n), fit[:, None], fit[:, None] ** 2,
            gender * self.category, (1 - gender) * self.category, *sized,
            (outfit[None, :, None] * self.category[:, None, :]).reshape(n, -1),
            shown[:, None], np.full((n, 1), min(observation["step"], self.steps) / self.steps),
            np.ones((n, 1))], axis=1)


class LinearQ:
    """A policy on a linear Q(s, a) = theta . psi(s, a) over ``SessionFeatures``: shows item a
    with probability (1 - explore) softmax(Q / temperature) + explore / n_items."""

    def __init__(self, features: SessionFeatures, gamma: float, temperature: float,
                 explore: float):
        self.features = features
        self.theta = np.zeros(features.dim)
        self.gamma, self.temperature, self.explore = gamma, temperature, explore

    def probs(self, observation: dict) -> np.ndarray:
        q = self.features(observation) @ self.theta
        soft = np.exp((q - q.max()) / self.temperature)
        return (1 - self.explore) * soft / soft.sum() + self.explore / len(q)

    def act(self, observation: dict, rng: np.random.Generator) -> tuple[int, float]:
        """An item to show and its propensity."""
        probs = self.probs(observation)
        item = int(rng.choice(len(probs), p=probs))
        return item, float(probs[item])


class QLearning(LinearQ):
    """Semi-gradient Q-learning: each step updates theta once, as it happens."""

    def __init__(self, features: SessionFeatures, gamma: float = 0.8,
                 learning_rate: float = 0.02, temperature: float = 0.05, explore: float = 0.05):
        super().__init__(features, gamma, temperature, explore)
        self.learning_rate = learning_rate
        self.name = "Q-learning (sessions)" if gamma > 0 else "contextual bandit (myopic)"

    def learn(self, observation: dict, item: int, reward: float, after: dict | None) -> None:
        """One step's update; ``after`` is the next observation, None when the session ended."""
        psi = self.features(observation)[item]
        target = reward
        if after is not None and self.gamma > 0:
            target += self.gamma * float((self.features(after) @ self.theta).max())
        self.theta += self.learning_rate * (target - psi @ self.theta) * psi


class FittedQ(LinearQ):
    """Fitted Q iteration (Ernst et al. 2005) with the linear Q: the last ``memory`` steps are
    kept, and each refit solves a ridge regression of r + gamma max_a' Q(s', a') on
    psi(s, a) again and again from the current theta, until theta moves less than
    ``tolerance`` (at most ``max_sweeps`` times). Every step is used again at each refit, so
    it learns from far fewer sessions than one update per step. A refit follows every
    ``refit_every`` steps (None: only when the caller calls ``refit``)."""

    name = "fitted Q iteration (sessions)"

    def __init__(self, features: SessionFeatures, gamma: float = 0.8, ridge: float = 1.0,
                 memory: int = 2000, max_sweeps: int = 50, tolerance: float = 1e-4,
                 refit_every: int | None = 64, temperature: float = 0.05,
                 explore: float = 0.05):
        super().__init__(features, gamma, temperature, explore)
        self.ridge, self.refit_every = ridge, refit_every
        self.max_sweeps, self.tolerance = max_sweeps, tolerance
        self.psi = np.zeros((memory, features.dim), np.float32)
        self.after = np.zeros((memory, features.n_items, features.dim), np.float32)
        self.goes_on = np.zeros(memory, bool)  # the session went on after the step
        self.reward = np.zeros(memory)
        self.steps, self.unfitted = 0, 0

    def learn(self, observation: dict, item: int, reward: float, after: dict | None) -> None:
        """Keep a step (``after``: the next observation, None when the session ended)."""
        slot = self.steps % len(self.reward)
        self.psi[slot] = self.features(observation)[item]
        self.goes_on[slot] = after is not None
        if after is not None:
            self.after[slot] = self.features(after)
        self.reward[slot] = reward
        self.steps, self.unfitted = self.steps + 1, self.unfitted + 1
        if self.refit_every is not None and self.unfitted >= self.refit_every:
            self.refit()

    def end_batch(self) -> None:
        """Refit on the steps kept, when some are new (a batch of events has been taken)."""
        if self.unfitted:
            self.refit()

    def refit(self) -> None:
        n = min(self.steps, len(self.reward))
        psi, after, goes_on = self.psi[:n], self.after[:n], self.goes_on[:n]
        gram = psi.T.astype(np.float64) @ psi + self.ridge * np.eye(self.features.dim)
        regression = np.linalg.solve(gram, psi.T)  # target -> theta
        for _ in range(self.max_sweeps):
            best_after = np.where(goes_on, (after @ self.theta).max(axis=1), 0.0)
            theta = regression @ (self.reward[:n] + self.gamma * best_after)
            moved = np.abs(theta - self.theta).max()
            self.theta = theta
            if moved < self.tolerance:
                break
        self.unfitted = 0


class PolicyGradient:
    """REINFORCE with a learnt baseline (Williams 1992; Sutton & Barto 2018, 13.4): the policy
    shows item a with probability (1 - explore) softmax(theta . psi(s, a)) + explore /
    n_items; after each session, every step moves theta along the gradient of its log
    probability, scaled by its return G (rewards from that step on, discounted by ``gamma``)
    less a linear baseline of the state (w . the mean of psi(s, .) over items, learnt by
    least mean squares on G)."""

    name = "policy gradient (sessions)"

    def __init__(self, features: SessionFeatures, gamma: float = 0.8,
                 learning_rate: float = 0.2, baseline_rate: float = 0.02,
                 explore: float = 0.05):
        self.features = features
        self.theta = np.zeros(features.dim)
        self.baseline = np.zeros(features.dim)
        self.gamma, self.explore = gamma, explore
        self.learning_rate, self.baseline_rate = learning_rate, baseline_rate
        self.episode: list[tuple[np.ndarray, int, float]] = []  # (psi(s, .), a, r) per step

    def _softmax(self, psi: np.ndarray) -> np.ndarray:
        logits = psi @ self.theta
        soft = np.exp(logits - logits.max())
        return soft / soft.sum()

    def probs(self, observation: dict) -> np.ndarray:
        soft = self._softmax(self.features(observation))
        return (1 - self.explore) * soft + self.explore / len(soft)

    def act(self, observation: dict, rng: np.random.Generator) -> tuple[int, float]:
        """An item to show and its propensity."""
        probs = self.probs(observation)
        item = int(rng.choice(len(probs), p=probs))
        return item, float(probs[item])

    def learn(self, observation: dict, item: int, reward: float, after: dict | None) -> None:
        """Keep a step; at the session's end (``after`` None) update from all of them."""
        self.episode.append((self.features(observation), item, reward))
        if after is None:
            self._update()

    def end_batch(self) -> None:
        """Nothing waits for a batch: each session is learnt from as it ends."""

    def _update(self) -> None:
        returns, to_go = [], 0.0
        for _, _, reward in reversed(self.episode):
            to_go = reward + self.gamma * to_go
            returns.append(to_go)
        for (psi, item, _), to_go in zip(self.episode, reversed(returns)):
            state = psi.mean(axis=0)
            advantage = to_go - state @ self.baseline
            self.baseline += self.baseline_rate * advantage * state
            soft = self._softmax(psi)
            mixed = (1 - self.explore) * soft[item] + self.explore / len(soft)
            grad_log = (1 - self.explore) * soft[item] * (psi[item] - soft @ psi) / mixed
            self.theta += self.learning_rate * advantage * grad_log
        self.episode = []
