"""Online learning curves in the simulated storefront (``shopper_sim``): each policy learns
from scratch over the same shoppers (same seeds), and its reward per session is followed;
compared over the last third of the sessions, when the learners have learnt, with bootstrap
intervals over those sessions of every seed."""
from __future__ import annotations

import numpy as np

from recommender.off_policy import mean_with_interval
from recommender.rewards import REWARD
from recommender.session_rl import FittedQ, PolicyGradient, QLearning, SessionFeatures
from recommender.shopper_sim import SESSION_STEPS, Storefront


def features_of(store: Storefront) -> SessionFeatures:
    """The session learners' features over the simulated storefront's garments and cuts."""
    return SessionFeatures([g.category for g in store.items], SESSION_STEPS,
                           np.array([g.cut for g in store.items]))


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


POLICIES = {"uniform random": UniformPolicy, "most popular": MostPopularPolicy,
            "contextual bandit (myopic)": lambda store: QLearning(features_of(store), gamma=0.0),
            "Q-learning (sessions)": lambda store: QLearning(features_of(store)),
            "fitted Q iteration (sessions)": lambda store: FittedQ(features_of(store)),
            "policy gradient (sessions)": lambda store: PolicyGradient(features_of(store))}


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
