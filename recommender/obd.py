"""The Open Bandit Dataset sample (ZOZOTOWN fashion store, Saito et al. 2021) as shipped in the
obp 0.4.1 wheel: for each campaign (all, men, women), 10,000 rounds logged by a uniform random
policy and 10,000 by Bernoulli Thompson sampling, read from the installed package's CSVs
without importing obp (its own dependencies are not installed).

A round's context is the shopper's 4 categorical features one-hot, then one user-item affinity
per item; items carry 1 numeric and 3 categorical features (one-hot).
"""
from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neural.errors import InputError
from recommender.logged_feedback import LoggedFeedback

LOGGING_POLICIES = ("random", "bts")
CAMPAIGNS = ("all", "men", "women")
USER_FEATURES = 4


@dataclass(frozen=True)
class Campaign:
    """Both logs of a campaign; ``item_features`` (n_items, m); the first ``n_user`` columns of
    a context are the shopper's one-hot features, the remaining n_items the affinities."""

    name: str
    logs: dict[str, LoggedFeedback]
    item_features: np.ndarray
    n_user: int


def obd_folder() -> Path:
    spec = importlib.util.find_spec("obp")
    if spec is None or spec.origin is None:
        raise InputError("the Open Bandit Dataset sample comes with obp 0.4.1, which `make "
                         "install` installs (pip install --no-deps obp==0.4.1)")
    return Path(spec.origin).parent / "dataset" / "obd"


def load_campaign(campaign: str = "all") -> Campaign:
    """Both logged policies' rounds of ``campaign``, in time order, featurised alike."""
    if campaign not in CAMPAIGNS:
        raise InputError(f"unknown campaign {campaign!r}: choose one of {', '.join(CAMPAIGNS)}")
    folder = obd_folder()
    tables = {policy: _read_csv(folder / policy / campaign / f"{campaign}.csv")
              for policy in LOGGING_POLICIES}
    items = _read_csv(folder / "random" / campaign / "item_context.csv")
    vocabularies = [sorted({row[f"user_feature_{i}"] for rows in tables.values() for row in rows})
                    for i in range(USER_FEATURES)]
    logs = {policy: _feedback(f"{policy}/{campaign}", rows, vocabularies, len(items))
            for policy, rows in tables.items()}
    return Campaign(campaign, logs, _item_features(items), sum(len(v) for v in vocabularies))


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def _feedback(name: str, rows: list[dict], vocabularies: list[list[str]],
              n_items: int) -> LoggedFeedback:
    rows = sorted(rows, key=lambda row: row["timestamp"])
    user = np.concatenate([_one_hot([row[f"user_feature_{i}"] for row in rows], vocabulary)
                           for i, vocabulary in enumerate(vocabularies)], axis=1)
    affinity = np.array([[float(row[f"user-item_affinity_{a}"]) for a in range(n_items)]
                         for row in rows], dtype=np.float32)
    return LoggedFeedback(
        name, np.concatenate([user, affinity], axis=1),
        np.array([int(row["item_id"]) for row in rows]),
        np.array([int(row["position"]) - 1 for row in rows]),
        np.array([float(row["click"]) for row in rows]),
        np.array([float(row["propensity_score"]) for row in rows]), n_items)


def _item_features(items: list[dict]) -> np.ndarray:
    items = sorted(items, key=lambda row: int(row["item_id"]))
    numeric = np.array([[float(row["item_feature_0"])] for row in items], dtype=np.float32)
    categorical = [_one_hot([row[f"item_feature_{i}"] for row in items],
                            sorted({row[f"item_feature_{i}"] for row in items}))
                   for i in (1, 2, 3)]
    return np.concatenate([numeric, *categorical], axis=1)


def _one_hot(values: list[str], vocabulary: list[str]) -> np.ndarray:
    index = {value: i for i, value in enumerate(vocabulary)}
    out = np.zeros((len(values), len(vocabulary)), dtype=np.float32)
    out[np.arange(len(values)), [index[v] for v in values]] = 1.0
    return out
