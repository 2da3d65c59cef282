"""Online learning curves in the simulated storefront (``shopper_sim``): each policy learns
from scratch over the same shoppers (same seeds), and its reward per session is followed;
compared over the last third of the sessions, when the learners have learnt, with bootstrap
intervals over those sessions of every seed."""
from __future__ import annotations

import numpy as np

from recommender.off_policy import mean_with_interval
from recommender.session_rl import (FittedQ, MostPopularPolicy, QLearning, SessionFeatures,
                                   UniformPolicy, run_sessions)
from recommender.shopper_sim import REWARD, Storefront

POLICIES = {"uniform random": UniformPolicy, "most popular": MostPopularPolicy,
            "contextual bandit (myopic)":
                lambda store: QLearning(SessionFeatures.of_store(store), gamma=0.0),
            "Q-learning (sessions)": lambda store: QLearning(SessionFeatures.of_store(store)),
            "fitted Q iteration (sessions)": lambda store: FittedQ(SessionFeatures.of_store(store))}


def learning_curves(n_sessions: int = 3000, seeds: int = 3, points: int = 30) -> dict:
    """Cumulative reward (mean over seeds) at ``points`` moments, and each policy's reward per
    session over the last third with its interval."""
    totals = {name: [] for name in POLICIES}
    for seed in range(seeds):
        store = Storefront(seed=seed)
        for name, make in POLICIES.items():
            totals[name].append(run_sessions(make(store), store, n_sessions, seed=1000 + seed))
    marks = np.linspace(n_sessions / points, n_sessions, points).astype(int)
    result = {"schema": "tryon.recommender_simulation", "schema_version": 1,
              "sessions": n_sessions, "seeds": seeds, "reward": REWARD, "policies": {}}
    for name, runs in totals.items():
        runs = np.array(runs)
        late = runs[:, -n_sessions // 3:].ravel()
        result["policies"][name] = {
            "late_reward_per_session": mean_with_interval(late).to_json(),
            "cumulative_reward": {"sessions": marks.tolist(),
                                  "mean": np.cumsum(runs, axis=1).mean(axis=0)[marks - 1]
                                  .round(2).tolist()}}
    return result


def table(result: dict) -> str:
    baseline = {name: result["policies"][name]["late_reward_per_session"]["value"]
                for name in ("uniform random", "most popular")}
    lines = [f"simulated storefront: {result['sessions']} sessions x {result['seeds']} seeds, "
             f"reward {result['reward']}; reward per session over the last third (95 % "
             "bootstrap interval), and against the baselines",
             f"{'policy':<30}{'reward / session':>26}{'x uniform':>11}{'x popular':>11}"
             f"{'cumulative':>12}"]
    for name, policy in result["policies"].items():
        late = policy["late_reward_per_session"]
        lines.append(f"{name:<30}{late['value']:>8.3f} [{late['low']:.3f}, {late['high']:.3f}]"
                     f"{late['value'] / baseline['uniform random']:>11.2f}"
                     f"{late['value'] / baseline['most popular']:>11.2f}"
                     f"{policy['cumulative_reward']['mean'][-1]:>12.1f}")
    return "\n".join(lines)
