"""The storefront's recommendations over shopping sessions, learnt online from its event
stream: Q-learning with linear function approximation (fitted Q iteration over the steps kept,
``session_rl.FittedQ``) or, as another arm of the A/B split, policy gradient
(``session_rl.PolicyGradient``, REINFORCE with a baseline) over the same sessions.

A shopper's session is their run of events with gaps under ``session_gap_s``; it ends when they
have been idle that long. A step of it is
a run of events on one item: the item is the action and the sum of the events' ``REWARD`` its
reward (try-ons, outfits and purchases, minus returns). The state before a step is the
shopper's body (gender and per-item fit scores, from the events' avatar) and the session so far:
the categories their outfit holds (items added to the outfit or cart, or bought), the items seen
and the number of steps. A step is learnt from when the next one starts (bootstrapped on the
state it starts in) or when its session ends (terminal), so a session's last step is learnt
``session_gap_s`` after it; the policy is refitted on all steps kept after each batch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from recommender.catalog import CATEGORY, Item
from recommender.rewards import REWARD
from recommender.session_rl import FittedQ, PolicyGradient, SessionFeatures
from recommender.storefront_policy import EventStreamPolicy, fit_scores, gender_of

POLICY = "Q-learning over sessions v1"
GRADIENT_POLICY = "policy gradient over sessions v1"
SESSION_GAP_S = 1800.0  # default: a shopper's events further apart start a new session
SESSION_STEPS = 10  # steps after which a session's length stops mattering
OUTFIT_EVENTS = ("add_to_outfit", "add_to_cart", "purchase")


@dataclass
class _Session:
    """A shopper's session in progress: its state and its current step."""
    avatar_id: str | None
    last_at: float  # time of its last event, seconds since the epoch
    item: int  # the current step's item
    before: dict  # the observation the current step started from
    reward: float = 0.0  # of the current step so far
    outfit: set[str] = field(default_factory=set)
    owned: set[int] = field(default_factory=set)  # items added to the outfit or cart, or bought
    shown: set[int] = field(default_factory=set)  # items of the finished steps
    step: int = 0  # finished steps


class SessionRecommender(EventStreamPolicy):
    """One storefront's session policy over ``items``, by fitted Q iteration or, with
    ``gradient``, by policy gradient; sessions end after ``session_gap_s`` (seconds) without
    an event."""

    def __init__(self, items: tuple[Item, ...], storefront_id: str, seed: int = 0,
                 session_gap_s: float = SESSION_GAP_S, gradient: bool = False):
        super().__init__(items, storefront_id, seed)
        self.session_gap_s = session_gap_s
        self.category = [CATEGORY[item.kind] for item in items]
        features = SessionFeatures(self.category, SESSION_STEPS)
        self.name = GRADIENT_POLICY if gradient else POLICY
        self.learner = (PolicyGradient(features) if gradient  # learns as each session ends
                        else FittedQ(features, refit_every=None))  # refitted per batch
        self.sessions: dict[str, _Session] = {}  # by shopper pseudonym

    def take(self, events: list[dict], avatar_of: Callable[[str | None], dict | None]) -> None:
        """Follow each event's session, end the sessions idle since, and refit."""
        for event in events:
            self._follow(event, avatar_of)
        self._end_sessions_idle_at(time.time())
        self.learner.end_batch()

    def recommend(self, avatar: dict | None, k: int, shopper: str) -> list[dict]:
        """``k`` items drawn one after another from the policy's probabilities in the state
        the shopper's session is in now (a new session when it has none), but those the
        session already added to the outfit or cart or bought; each with its propensity: the
        probability of its being drawn first. ``shopper``: the pseudonym."""
        session = self.sessions.get(shopper)
        if session is not None and time.time() - session.last_at > self.session_gap_s:
            session = None
        probs = self.learner.probs(self._after_step(session, avatar))
        if session is not None and len(session.owned) < len(probs):
            probs[list(session.owned)] = 0.0
            probs /= probs.sum()
        order = self.rng.choice(len(probs), size=min(k, np.count_nonzero(probs)),
                                replace=False, p=probs)
        return [{"item": self.items[i].id, "propensity": round(float(probs[i]), 4)}
                for i in order]

    def _follow(self, event: dict, avatar_of: Callable[[str | None], dict | None]) -> None:
        item = self.index.get(event["item"])
        if item is None:
            return
        session = self.sessions.get(event["shopper"])
        if session is not None and event["created_at"] - session.last_at > self.session_gap_s:
            self._end(event["shopper"])
            session = None
        if session is None:
            session = _Session(event["avatar_id"], event["created_at"], item,
                               self._after_step(None, avatar_of(event["avatar_id"])))
            self.sessions[event["shopper"]] = session
        elif item != session.item:
            start = self._after_step(session, avatar_of(event["avatar_id"] or session.avatar_id))
            self.learner.learn(session.before, session.item, session.reward, start)
            session.shown.add(session.item)
            session.step += 1
            session.item, session.before, session.reward = item, start, 0.0
        session.reward += REWARD[event["type"]]
        if event["type"] in OUTFIT_EVENTS:
            session.outfit.add(self.category[item])
            session.owned.add(item)
        session.last_at = event["created_at"]
        session.avatar_id = event["avatar_id"] or session.avatar_id

    def _end(self, shopper: str) -> None:
        """Learn from a session's last step, and forget the session."""
        session = self.sessions.pop(shopper)
        self.learner.learn(session.before, session.item, session.reward, None)

    def _end_sessions_idle_at(self, now: float) -> None:
        for shopper in [s for s, session in self.sessions.items()
                        if now - session.last_at > self.session_gap_s]:
            self._end(shopper)

    def _after_step(self, session: _Session | None, avatar: dict | None) -> dict:
        """The observation once the session's current step is over (a fresh session's first
        without one)."""
        observation = {"gender": gender_of(avatar), "fit": fit_scores(self.items, avatar)}
        if session is None:
            return observation | {"outfit": frozenset(), "shown": frozenset(), "step": 0}
        return observation | {"outfit": frozenset(session.outfit),
                              "shown": frozenset(session.shown | {session.item}),
                              "step": session.step + 1}
