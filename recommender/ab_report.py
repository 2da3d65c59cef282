"""How each recommendation policy of a storefront's A/B split has done, from its own logs: every
served answer (``StorefrontData.served``) is credited with the shopper's events on the items
it listed within ``window_s`` after it (an event goes to the latest such answer before it, and
to no other), weighted by the policies' ``REWARD``. Per policy: answers served, shoppers,
reward per answer and the share of answers acted on (any event but a view), each with a
bootstrap 95 % interval over answers."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from recommender.off_policy import mean_with_interval
from recommender.storefront_data import StorefrontData
from recommender.rewards import REWARD

WINDOW_S = 1800.0


def ab_report(data: StorefrontData, storefront_id: str, window_s: float = WINDOW_S,
              n_boot: int = 1000) -> dict:
    served = data.served(storefront_id)
    reward, acted = np.zeros(len(served)), np.zeros(len(served))
    answers_to = defaultdict(list)  # shopper -> indices of their answers, oldest first
    for index, answer in enumerate(served):
        answers_to[answer["shopper"]].append(index)
    for event in data.events_after(storefront_id, 0):
        for index in reversed(answers_to.get(event["shopper"], [])):
            answer = served[index]
            if answer["created_at"] > event["created_at"]:
                continue
            if event["created_at"] - answer["created_at"] > window_s:
                break
            if any(row["item"] == event["item"] for row in answer["items"]):
                reward[index] += REWARD[event["type"]]
                acted[index] = max(acted[index], float(event["type"] != "view"))
                break
    policies = {}
    for policy in sorted({answer["policy"] for answer in served}):
        mine = np.array([answer["policy"] == policy for answer in served])
        policies[policy] = {
            "answers": int(mine.sum()),
            "shoppers": len({a["shopper"] for a in served if a["policy"] == policy}),
            "reward_per_answer": mean_with_interval(reward[mine], n_boot).to_json(),
            "acted_on": mean_with_interval(acted[mine], n_boot).to_json()}
    return {"schema": "tryon.ab_report", "schema_version": 1, "window_s": window_s,
            "reward": REWARD, "policies": policies}


def table(report: dict) -> str:
    lines = [f"served recommendations and the shoppers' events on their items within "
             f"{report['window_s']:.0f} s (95 % bootstrap intervals over answers)",
             f"{'policy':<32}{'answers':>9}{'shoppers':>10}{'reward / answer':>28}"
             f"{'acted on':>26}"]
    for name, policy in report["policies"].items():
        reward, acted = policy["reward_per_answer"], policy["acted_on"]
        lines.append(f"{name:<32}{policy['answers']:>9}{policy['shoppers']:>10}"
                     f"{reward['value']:>10.3f} [{reward['low']:.3f}, {reward['high']:.3f}]"
                     f"{acted['value']:>10.3f} [{acted['low']:.3f}, {acted['high']:.3f}]")
    if not report["policies"]:
        lines.append("(no recommendations served yet)")
    return "\n".join(lines)
