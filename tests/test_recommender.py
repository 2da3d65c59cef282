"""Recommendation policies and their offline evaluation: the estimators recover a known click
rate from another policy's log; linear Thompson sampling learns which item suits which shopper
where a context-free policy cannot; on the Open Bandit Dataset sample (ALL campaign) the learned
contextual policy is estimated at or above the logged Bernoulli TS policy's click rate; in the
simulated storefront, Q-learning over sessions beats uniform random and most popular."""
import json

import numpy as np
import pytest

from recommender.linear_model import ArmFeatures, LinearPosterior
from recommender.logged_feedback import LoggedFeedback
from recommender.off_policy import estimate_all
from recommender.policies import BernoulliThompson, LinearThompson, UniformRandom

N_ITEMS = 4


def _shoppers(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two kinds of shopper (one-hot) and, per item, a fit score in [0, 1]; item 0 suits the
    first kind, item 1 the second, and a better fit adds to the click probability."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 2, n)
    fit = rng.uniform(0, 1, (n, N_ITEMS))
    click = np.full((n, N_ITEMS), 0.02) + 0.04 * fit
    click[kind == 0, 0] += 0.25
    click[kind == 1, 1] += 0.25
    return np.concatenate([np.eye(2)[kind], fit], axis=1), click


def _logged(n: int, seed: int) -> tuple[LoggedFeedback, np.ndarray]:
    """Rounds logged by a uniform random policy, and the true click probabilities."""
    context, click = _shoppers(n, seed)
    rng = np.random.default_rng(seed + 1)
    action = rng.integers(0, N_ITEMS, n)
    reward = (rng.uniform(size=n) < click[np.arange(n), action]).astype(float)
    return LoggedFeedback("uniform", context, action, np.zeros(n, int), reward,
                          np.full(n, 1 / N_ITEMS), N_ITEMS), click


def _features() -> ArmFeatures:
    return ArmFeatures(2, np.eye(N_ITEMS))


def test_estimators_recover_a_known_click_rate():
    log, click = _logged(20000, seed=1)
    target = np.zeros((len(log), N_ITEMS))
    target[np.arange(len(log)), log.context[:, 1].astype(int)] = 0.8  # mostly the right item
    target += 0.2 / N_ITEMS
    truth = float((target * click).sum(axis=1).mean())
    exact = estimate_all(log, target, click, n_boot=300)
    blind = estimate_all(log, target, np.zeros_like(click), n_boot=300)
    for name, estimate in list(exact.items()) + [("DR, no model", blind["DR"])]:
        assert estimate.low <= truth <= estimate.high, (name, estimate, truth)
    assert exact["DR"].high - exact["DR"].low < exact["IPW"].high - exact["IPW"].low
    uniform = estimate_all(log, UniformRandom(N_ITEMS).action_probs(log.context), click)
    assert uniform["IPW"].value == pytest.approx(log.click_rate())


def test_linear_thompson_learns_which_item_suits_which_shopper():
    log, _ = _logged(6000, seed=2)
    contextual = LinearThompson(_features(), prior_rounds=10.0)
    contextual.fit(log)
    context, _ = _shoppers(400, seed=3)
    probs = contextual.action_probs(context)
    kind = context[:, 1].astype(int)
    assert probs[np.arange(400), kind].mean() > 0.9
    context_free = BernoulliThompson(N_ITEMS)
    context_free.fit(log)
    assert context_free.action_probs(context)[np.arange(400), kind].mean() < 0.6
    expected = contextual.expected_rewards(context)
    assert expected.shape == (400, N_ITEMS) and expected.min() >= 0.0
    assert np.allclose(probs.sum(axis=1), 1.0)


def test_posterior_from_one_batch_equals_one_round_at_a_time():
    log, _ = _logged(300, seed=4)
    phi = _features().of_actions(log.context, log.action)
    batch, rounds = LinearPosterior(phi.shape[1], 5.0, 0.05), LinearPosterior(phi.shape[1], 5.0,
                                                                              0.05)
    batch.update(phi, log.reward)
    for row, reward in zip(phi, log.reward):
        rounds.update(row, reward)
    assert np.allclose(batch.mean(), rounds.mean())
    draws = batch.sample(4000, np.random.default_rng(0))
    assert np.allclose(draws.mean(axis=0), batch.mean(), atol=0.02)


def test_on_the_open_bandit_dataset_the_contextual_policy_beats_the_logged_thompson(tmp_path):
    from render_farm.cli import main

    out = tmp_path / "obd.json"
    assert main(["recommend", "evaluate", "--campaign", "all", "--bootstrap", "300",
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    policies = {row["policy"]: row for row in result["policies"]}
    contextual = policies["linear TS (contextual)"]
    logged_ts = result["logged"]["bts"]["value"]
    for estimator in ("IPW", "SNIPW", "DR"):
        estimate = contextual[estimator]
        assert estimate["low"] <= estimate["value"] <= estimate["high"]
        assert estimate["value"] >= logged_ts, (estimator, estimate, logged_ts)
    uniform = policies["uniform random"]["IPW"]["value"]
    assert uniform == pytest.approx(result["logged"]["random"]["value"])  # the same rounds
    assert result["train_rounds"] == 10000 and result["test_rounds"] == 5000
    assert main(["recommend", "evaluate", "--campaign", "kids"]) == 2


def test_in_the_simulated_storefront_the_learners_beat_uniform_and_most_popular():
    from recommender.evaluate_sim import features_of, learning_curves
    from recommender.session_rl import QLearning
    from recommender.shopper_sim import Storefront

    result = learning_curves(n_sessions=1200, seeds=2, points=4)["policies"]
    late = {name: policy["late_reward_per_session"] for name, policy in result.items()}
    for learner in ("Q-learning (sessions)", "fitted Q iteration (sessions)",
                    "policy gradient (sessions)"):
        for baseline in ("uniform random", "most popular"):
            assert late[learner]["low"] > late[baseline]["high"], (learner, baseline, late)
    store = Storefront(seed=0)
    observation = store.observe(store.new_session(np.random.default_rng(0)))
    probs = QLearning(features_of(store)).probs(observation)
    assert probs.shape == (store.n_items,) and np.isclose(probs.sum(), 1.0) and probs.min() > 0


def test_the_policy_gradients_propensities_let_its_logs_evaluate_another_policy():
    """Logged by the policy-gradient learner once it has learnt (the item shown first in each
    session, its propensity and reward), IPW estimates the uniform policy's reward on that
    step as the uniform policy itself earns it."""
    from recommender.evaluate_sim import features_of, run_sessions
    from recommender.session_rl import PolicyGradient
    from recommender.shopper_sim import Storefront

    store = Storefront(seed=0)
    learner = PolicyGradient(features_of(store))
    run_sessions(learner, store, 800, seed=10)
    rng, rounds = np.random.default_rng(11), 3000
    actions, pscores, rewards, uniform_rewards = [], [], [], []
    for _ in range(rounds):
        session = store.new_session(rng)
        item, propensity = learner.act(store.observe(session), rng)
        actions.append(item)
        pscores.append(propensity)
        rewards.append(store.show(session, item, rng)[0])
        uniform_rewards.append(store.show(store.new_session(rng),
                                          int(rng.integers(store.n_items)), rng)[0])
    log = LoggedFeedback("policy gradient", np.zeros((rounds, 1)), np.array(actions),
                         np.zeros(rounds, int), np.array(rewards), np.array(pscores),
                         store.n_items)
    uniform = np.full((rounds, store.n_items), 1 / store.n_items)
    ipw = estimate_all(log, uniform, np.zeros_like(uniform))["IPW"]
    assert min(pscores) >= learner.explore / store.n_items
    assert ipw.low <= np.mean(uniform_rewards) <= ipw.high, (ipw, np.mean(uniform_rewards))
    assert np.mean(rewards) > ipw.high  # and the learner earns more than uniform there
