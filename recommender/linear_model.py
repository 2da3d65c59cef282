"""Bayesian linear regression of a reward on arm features, and the arm features of a
shopper-item pair: what the contextual policies and the doubly robust estimator share."""
from __future__ import annotations

import numpy as np


class ArmFeatures:
    """phi(x, a) = [one-hot a (n_items), pair(x, a), user(x) (x) item(a)] for a context laid out
    as [user features (n_user) | one value per item (n_items): an affinity, or the fit score
    of that garment on the shopper's body]. Scores are computed without building phi for every
    item: s(x, a) = theta_item[a] + theta_pair * pair(x, a) + user(x)^T Theta item(a)."""

    def __init__(self, n_user: int, item_features: np.ndarray):
        self.n_user = n_user
        self.items = np.asarray(item_features, dtype=np.float64)
        self.n_items, self.m = self.items.shape
        self.dim = self.n_items + 1 + n_user * self.m

    def of_actions(self, context: np.ndarray, action: np.ndarray) -> np.ndarray:
        """phi(x_i, a_i) for each round: (n, dim)."""
        n = len(action)
        user, pair = context[:, :self.n_user], context[:, self.n_user:]
        one_hot = np.zeros((n, self.n_items))
        one_hot[np.arange(n), action] = 1.0
        cross = (user[:, :, None] * self.items[action][:, None, :]).reshape(n, -1)
        return np.concatenate([one_hot, pair[np.arange(n), action][:, None], cross], axis=1)

    def scores(self, context: np.ndarray, thetas: np.ndarray) -> np.ndarray:
        """s(x_i, a) under each parameter vector: (n, n_samples, n_items) for ``thetas``
        (n_samples, dim)."""
        item = thetas[:, :self.n_items]
        pair = thetas[:, self.n_items]
        cross = thetas[:, self.n_items + 1:].reshape(len(thetas), self.n_user, self.m)
        user, values = context[:, :self.n_user], context[:, self.n_user:]
        mixed = np.einsum("nu,sum->nsm", user, cross) @ self.items.T
        return mixed + item[None] + pair[None, :, None] * values[:, None, :]


class LinearPosterior:
    """Gaussian posterior over theta for r = phi . theta + noise (variance ``noise``), prior
    N(0, I / ``prior_precision``); rewards are centred on their mean, added back to
    predictions. Updated in batches or one round at a time."""

    def __init__(self, dim: int, prior_precision: float = 1.0, noise: float = 0.01):
        self.noise = noise
        self.precision = prior_precision * np.eye(dim)
        self.moment = np.zeros(dim)  # sum of phi * reward / noise
        self.phi_sum = np.zeros(dim)
        self.total, self.count = 0.0, 0
        self._solved = None

    def update(self, phi: np.ndarray, reward: np.ndarray) -> None:
        """Add rounds ``phi`` (n, dim) with their ``reward`` (n,)."""
        phi, reward = np.atleast_2d(phi), np.atleast_1d(reward).astype(np.float64)
        self.total, self.count = self.total + reward.sum(), self.count + len(reward)
        self.precision += phi.T @ phi / self.noise
        self.moment += phi.T @ reward / self.noise
        self.phi_sum += phi.sum(axis=0)
        self._solved = None

    @property
    def baseline(self) -> float:
        """The mean reward seen so far."""
        return self.total / self.count if self.count else 0.0

    def mean(self) -> np.ndarray:
        return self._solve()[0]

    def sample(self, n_samples: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Parameter vectors drawn from the posterior (its spread times ``scale``)."""
        mean, factor = self._solve()
        return mean + scale * rng.standard_normal((n_samples, len(mean))) @ factor.T

    def _solve(self) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean (of the centred reward) and a factor L with L L^T = covariance."""
        if self._solved is None:
            cholesky = np.linalg.cholesky(self.precision)
            factor = np.linalg.inv(cholesky).T  # L^-T (L^-T)^T = precision^-1
            centred = self.moment - self.baseline * self.phi_sum / self.noise
            self._solved = (np.linalg.solve(self.precision, centred), factor)
        return self._solved
