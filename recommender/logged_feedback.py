"""Logged bandit feedback: what a policy showed (an item, at a position), in what context, with
what probability, and whether the shopper clicked."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LoggedFeedback:
    """``n`` rounds in time order. ``context`` (n, d) float; ``action`` (n,) item index in
    [0, n_actions); ``position`` (n,) slot index from 0; ``reward`` (n,) 0/1 click;
    ``pscore`` (n,) the logging policy's probability of that item at that position."""

    name: str
    context: np.ndarray
    action: np.ndarray
    position: np.ndarray
    reward: np.ndarray
    pscore: np.ndarray
    n_actions: int

    def __len__(self) -> int:
        return len(self.action)

    def rows(self, index: np.ndarray | slice) -> "LoggedFeedback":
        """The rounds at ``index``."""
        return LoggedFeedback(self.name, self.context[index], self.action[index],
                              self.position[index], self.reward[index], self.pscore[index],
                              self.n_actions)

    def split(self, train_fraction: float) -> tuple["LoggedFeedback", "LoggedFeedback"]:
        """The earliest ``train_fraction`` of the rounds, and the rest."""
        cut = int(round(train_fraction * len(self)))
        return self.rows(slice(0, cut)), self.rows(slice(cut, None))

    def click_rate(self) -> float:
        return float(self.reward.mean())


def concatenate(name: str, logs: list[LoggedFeedback]) -> LoggedFeedback:
    """The rounds of ``logs`` one after the other (their items must be the same)."""
    return LoggedFeedback(name, *(np.concatenate([getattr(log, field) for log in logs])
                                  for field in ("context", "action", "position", "reward",
                                                "pscore")), logs[0].n_actions)
