"""The storefront's recommendations: linear Thompson sampling over the catalog that learns
online from the storefront's events. A shopper's context is their body (from their avatar:
gender, height and girths) and, per garment, a fit score: from draping it on them where a
try-on did, else from the garment's size chart; an
event on an item is a reward for that context and item (``REWARD``). The posterior catches up
with the events in the store before each answer, so every server process serving a storefront
learns from all of its events (within ``LEARN_EVERY_S``).
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Sequence

import numpy as np

from neural.garments.garment_file import SIZE_CHARTS
from neural.garments.size_charts import fit_rules, load_chart
from recommender.catalog import Item, item_features
from recommender.linear_model import ArmFeatures, LinearPosterior
from recommender.rewards import REWARD
from recommender.storefront_data import StorefrontData

USER_FEATURES = ("constant", "has avatar", "gender", "height", "waist", "hip")
NO_FIT = 0.5  # the fit score of any garment on a shopper without an avatar
PRIOR_ROUNDS = 20.0
NOISE = 0.1
DRAWS = 256  # posterior draws kept between updates: propensities are counts over these
POLICY = "linear Thompson sampling v1"
LEARN_EVERY_S = 0.2  # how often the posterior looks for new events


class EventStreamPolicy:
    """What the storefront's policies share: one storefront's catalog (``items``), a lock for
    the server's threads, and ``learn``, which hands the events since its last look to
    ``take`` at most every ``LEARN_EVERY_S``."""

    name: str

    def __init__(self, items: tuple[Item, ...], storefront_id: str, seed: int = 0):
        self.items, self.storefront_id = items, storefront_id
        self.index = {item.id: i for i, item in enumerate(items)}
        self.seen_event, self.learned_at = 0, -LEARN_EVERY_S
        self.rng = np.random.default_rng(seed)
        self.lock = threading.Lock()

    def learn(self, data: StorefrontData,
              avatar_of: Callable[[str | None], dict | None]) -> None:
        """Take in the storefront's events since the last look, at most every
        ``LEARN_EVERY_S`` (``avatar_of``: an event's avatar id, or None, to its avatar
        document, or None)."""
        now = time.monotonic()
        if now - self.learned_at < LEARN_EVERY_S:
            return
        self.learned_at = now
        events = data.events_after(self.storefront_id, self.seen_event)
        self.take(events, avatar_of)
        if events:
            self.seen_event = events[-1]["id"]

    def take(self, events: list[dict], avatar_of: Callable[[str | None], dict | None]) -> None:
        """Learn from ``events`` (``StorefrontData.events_after``; maybe none)."""
        raise NotImplementedError


class StorefrontRecommender(EventStreamPolicy):
    """One storefront's bandit over ``items``."""

    name = POLICY

    def __init__(self, items: tuple[Item, ...], storefront_id: str, seed: int = 0):
        super().__init__(items, storefront_id, seed)
        self.features = ArmFeatures(len(USER_FEATURES), item_features(items))
        self.posterior = LinearPosterior(self.features.dim, PRIOR_ROUNDS / NOISE, NOISE)
        self.draws: np.ndarray | None = None

    def context(self, avatar: dict | None) -> np.ndarray:
        """The shopper's features then one fit score per item (``fit_scores``):
        (len(USER_FEATURES) + items)."""
        if avatar is None:
            return np.concatenate([[1.0, 0, 0, 0, 0, 0], fit_scores(self.items, None)])
        m = avatar["measurements"]
        body = [1.0, 1.0, gender_of(avatar), (avatar["height_cm"] - 170) / 10,
                (m["waist_girth"] - 80) / 10, (m["hip_girth"] - 100) / 10]
        return np.concatenate([body, fit_scores(self.items, avatar)])

    def take(self, events: list[dict], avatar_of: Callable[[str | None], dict | None]) -> None:
        """Each event on a catalog item is a reward for its context and item."""
        known = [e for e in events if e["item"] in self.index]
        if known:
            contexts = np.array([self.context(avatar_of(e["avatar_id"])) for e in known])
            actions = np.array([self.index[e["item"]] for e in known])
            self.posterior.update(self.features.of_actions(contexts, actions),
                                  np.array([REWARD[e["type"]] for e in known]))
            self.draws = None

    def recommend(self, avatar: dict | None, k: int, shopper: str) -> list[dict]:
        """Thompson sampling: the ``k`` best items under one posterior draw, each with its
        propensity, the probability that a draw ranks it first (over ``DRAWS`` draws, drawn
        again whenever the posterior changes). The context is the avatar's alone: ``shopper``
        (the pseudonym, which session policies follow) does not change it."""
        if self.draws is None:
            self.draws = self.posterior.sample(DRAWS, self.rng)
        scores = self.features.scores(self.context(avatar)[None], self.draws)[0]  # (draws, items)
        first = np.bincount(scores.argmax(axis=1), minlength=len(self.items)) / DRAWS
        order = np.argsort(-scores[self.rng.integers(DRAWS)])[:k]
        return [{"item": self.items[i].id, "propensity": round(float(first[i]), 4)}
                for i in order]


def fit_scores(items: Sequence[Item], avatar: dict | None) -> np.ndarray:
    """Each item's fit on the avatar's body, 0-1: an item it has been draped in takes its
    drape's score (``avatar["drape_fits"]``, by item id), any other its size chart's
    (``chart_fit``); ``NO_FIT`` for all without an avatar."""
    if avatar is None:
        return np.full(len(items), NO_FIT)
    draped, m = avatar.get("drape_fits", {}), avatar["measurements"]
    return np.array([draped.get(item.id, chart_fit(item.kind, m)) for item in items])


def gender_of(avatar: dict | None) -> float:
    """The avatar's gender phenotype, 0 male to 1 female; 0.5 when unknown."""
    return 0.5 if avatar is None else float(avatar["shape"]["phenotypes"].get("gender", 0.5))


def chart_fit(kind: str, measurements: dict[str, float]) -> float:
    """How well the garment's size chart fits a body, 0-1: 1 when every sizing girth picks the
    same size and lies on it; less as they pick sizes further apart (a dress for a body whose
    hip is two sizes above its bust) or lie off the chart's range."""
    chart_file = SIZE_CHARTS[kind]
    chart = load_chart(chart_file)
    picks, misses = [], []
    for rule in fit_rules(chart_file).values():
        girths = np.array([row[rule.body_column] for row in chart.values()])
        gaps = np.abs(girths - measurements[rule.measurement])
        picks.append(int(np.argmin(gaps)))
        misses.append(float(gaps.min()))
    spread = max(picks) - min(picks)
    return float(np.exp(-0.5 * spread ** 2) * np.exp(-0.5 * (max(misses) / 8.0) ** 2))
