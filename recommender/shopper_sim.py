"""A simulated storefront for online learning curves: shoppers with body shapes and tastes
browse in sessions; at each step a policy shows one garment, and the shopper may try it on,
add it to their outfit, buy it, and return it later when it fits badly.

What a policy observes of a shopper (``observe``): gender, a body-size score (standardised
girth), the fit score of every garment on their body (in the storefront: from draping it,
0 = does not fit, 1 = fits as designed), and the session so far (which kinds of garment the
outfit holds, what was shown, the step). Tastes stay hidden. Outfits make sessions matter: a
bottom is far more likely to join an outfit that has a top, and the reverse; a second garment of
a kind already in the outfit is rarely wanted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from recommender.catalog import CATEGORY, FABRIC_NAMES
from recommender.rewards import REWARD

CUTS = (-1.0, 0.0, 1.0)  # slim, regular, loose: suits a smaller, average, larger body
SESSION_STEPS = 6
COMPLEMENTS = {("top", "bottom"), ("bottom", "top"), ("top", "outer"), ("bottom", "outer"),
               ("full", "outer")}


@dataclass(frozen=True)
class Garment:
    kind: str
    fabric: str
    cut: float

    @property
    def category(self) -> str:
        return CATEGORY[self.kind]


@dataclass
class Shopper:
    gender: float  # 0 man, 1 woman
    size: float  # standardised body girth
    taste: np.ndarray  # hidden appeal of each garment
    fit: np.ndarray  # fit score of each garment on this body, 0-1


@dataclass
class Session:
    shopper: Shopper
    step: int = 0
    outfit: set[str] = field(default_factory=set)  # categories in the outfit
    shown: set[int] = field(default_factory=set)
    over: bool = False


class Storefront:
    """The catalog (one garment per kind x fabric x cut drawn at ``seed``) and its shoppers."""

    def __init__(self, n_items: int = 24, seed: int = 0):
        rng = np.random.default_rng(seed)
        choices = [(k, f, c) for k in CATEGORY for f in FABRIC_NAMES for c in CUTS]
        picked = rng.choice(len(choices), n_items, replace=False)
        self.items = [Garment(*choices[i]) for i in sorted(picked)]
        self.n_items = n_items
        self.popularity = rng.normal(0, 0.6, n_items)  # what most shoppers like
        self.womens = np.array([g.kind in ("skirt", "dress") for g in self.items], float)

    def new_session(self, rng: np.random.Generator) -> Session:
        gender = float(rng.integers(0, 2))
        size = float(rng.normal())
        cuts = np.array([g.cut for g in self.items])
        fit = np.exp(-0.5 * ((size - cuts) / 0.7) ** 2)
        taste = self.popularity + rng.normal(0, 0.8, self.n_items) - 2.5 * self.womens * (
            1 - gender)
        return Session(Shopper(gender, size, taste, fit))

    def observe(self, session: Session) -> dict:
        """What a policy may see: shopper features, fit scores and the session so far."""
        return {"gender": session.shopper.gender, "size": session.shopper.size,
                "fit": session.shopper.fit.copy(), "outfit": frozenset(session.outfit),
                "shown": frozenset(session.shown), "step": session.step}

    def show(self, session: Session, item: int, rng: np.random.Generator) -> tuple[float, list]:
        """The shopper's response to ``item``: (reward, events); the session moves on."""
        shopper, garment = session.shopper, self.items[item]
        events, reward = [], 0.0
        appeal = shopper.taste[item] - (1.5 if item in session.shown else 0.0)
        if rng.uniform() < _sigmoid(-1.5 + appeal + 1.5 * shopper.fit[item]):
            events.append("tryon")
            outfit_pull = _outfit_pull(session.outfit, garment.category)
            if rng.uniform() < _sigmoid(-1.0 + 0.8 * appeal + outfit_pull):
                events.append("add_to_outfit")
                session.outfit.add(garment.category)
                if rng.uniform() < _sigmoid(-0.5 + 2.0 * shopper.fit[item] + 0.5 * appeal):
                    events.append("purchase")
                    if rng.uniform() < (1 - shopper.fit[item]) ** 2:
                        events.append("return")
        reward = sum(REWARD[event] for event in events)
        session.shown.add(item)
        session.step += 1
        session.over = session.step >= SESSION_STEPS or rng.uniform() < 0.08
        return reward, events


def _outfit_pull(outfit: set[str], category: str) -> float:
    if category in outfit or ("full" in outfit and category in ("top", "bottom")):
        return -2.5  # a second one of a kind
    return 1.5 if any((have, category) in COMPLEMENTS for have in outfit) else 0.0


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))
