"""Recommendations over a whole shopping session by reinforcement learning: Q-learning with a
linear function of shopper, garment and session features, learning online from each step's
reward (try-ons, outfits and purchases, minus returns; ``shopper_sim.REWARD``). Every
recommendation comes with its propensity (a softened greedy choice), so its logs can be
evaluated offline. With ``gamma=0`` the same learner is a myopic contextual bandit.
"""
from __future__ import annotations

import numpy as np

from recommender.shopper_sim import CATEGORIES, SESSION_STEPS, Storefront


class SessionFeatures:
    """psi(observation, item) for every item: (n_items, dim). Item identity; its fit score on
    the shopper (and squared); gender x garment category; body size x cut; which categories
    the outfit holds x the item's category; shown before; the step; a constant."""

    def __init__(self, store: Storefront):
        self.n_items = store.n_items
        self.category = np.array([[g.category == c for c in CATEGORIES] for g in store.items],
                                 float)
        self.cut = np.array([g.cut for g in store.items])
        self.dim = self.n_items + 2 + 2 * len(CATEGORIES) + 1 + len(CATEGORIES) ** 2 + 3

    def __call__(self, observation: dict) -> np.ndarray:
        n = self.n_items
        outfit = np.array([c in observation["outfit"] for c in CATEGORIES], float)
        shown = np.array([i in observation["shown"] for i in range(n)], float)
        fit = observation["fit"]
        gender = observation["gender"]
        return np.concatenate([
            np.eye(n), fit[:, None], fit[:, None] ** 2,
            gender * self.category, (1 - gender) * self.category,
            (observation["size"] * self.cut)[:, None],
            (outfit[None, :, None] * self.category[:, None, :]).reshape(n, -1),
            shown[:, None], np.full((n, 1), observation["step"] / SESSION_STEPS),
            np.ones((n, 1))], axis=1)


class QLearning:
    """Semi-gradient Q-learning on ``SessionFeatures``: Q(s, a) = theta . psi(s, a); shows
    item a with probability (1 - explore) softmax(Q / temperature) + explore / n_items."""

    def __init__(self, store: Storefront, gamma: float = 0.8, learning_rate: float = 0.02,
                 temperature: float = 0.05, explore: float = 0.05):
        self.features = SessionFeatures(store)
        self.theta = np.zeros(self.features.dim)
        self.gamma, self.learning_rate = gamma, learning_rate
        self.temperature, self.explore = temperature, explore
        self.name = "Q-learning (sessions)" if gamma > 0 else "contextual bandit (myopic)"

    def probs(self, observation: dict) -> np.ndarray:
        q = self.features(observation) @ self.theta
        soft = np.exp((q - q.max()) / self.temperature)
        return (1 - self.explore) * soft / soft.sum() + self.explore / len(q)

    def act(self, observation: dict, rng: np.random.Generator) -> tuple[int, float]:
        """An item to show and its propensity."""
        probs = self.probs(observation)
        item = int(rng.choice(len(probs), p=probs))
        return item, float(probs[item])

    def learn(self, observation: dict, item: int, reward: float, after: dict | None) -> None:
        """One step's update; ``after`` is the next observation, None when the session ended."""
        psi = self.features(observation)[item]
        target = reward
        if after is not None and self.gamma > 0:
            target += self.gamma * float((self.features(after) @ self.theta).max())
        self.theta += self.learning_rate * (target - psi @ self.theta) * psi


class UniformPolicy:
    name = "uniform random"

    def __init__(self, store: Storefront):
        self.n_items = store.n_items

    def act(self, observation: dict, rng: np.random.Generator) -> tuple[int, float]:
        return int(rng.integers(self.n_items)), 1.0 / self.n_items

    def learn(self, observation: dict, item: int, reward: float, after: dict | None) -> None:
        pass


class MostPopularPolicy:
    """The item with the highest mean reward so far (each item shown once first), and
    ``explore`` of the time any item."""

    name = "most popular"

    def __init__(self, store: Storefront, explore: float = 0.05):
        self.n_items, self.explore = store.n_items, explore
        self.total = np.zeros(store.n_items)
        self.shown = np.zeros(store.n_items)

    def act(self, observation: dict, rng: np.random.Generator) -> tuple[int, float]:
        mean = np.where(self.shown > 0, self.total / np.maximum(self.shown, 1), np.inf)
        best = int(np.argmax(mean))
        if rng.uniform() < self.explore:
            item = int(rng.integers(self.n_items))
        else:
            item = best
        return item, (1 - self.explore) * (item == best) + self.explore / self.n_items

    def learn(self, observation: dict, item: int, reward: float, after: dict | None) -> None:
        self.total[item] += reward
        self.shown[item] += 1


def run_sessions(policy, store: Storefront, n_sessions: int, seed: int) -> np.ndarray:
    """Each session's total reward while ``policy`` learns online."""
    rng = np.random.default_rng(seed)
    totals = np.zeros(n_sessions)
    for index in range(n_sessions):
        session = store.new_session(rng)
        observation = store.observe(session)
        while not session.over:
            item, _ = policy.act(observation, rng)
            reward, _ = store.show(session, item, rng)
            after = None if session.over else store.observe(session)
            policy.learn(observation, item, reward, after)
            totals[index] += reward
            observation = after
    return totals
