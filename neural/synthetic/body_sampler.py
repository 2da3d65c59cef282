"""Sample adult Anny bodies: calibrated phenotypes, local changes and a relaxed A-pose.

Phenotypes come from Anny's own shape distribution (calibrated on WHO height/weight data)
restricted to adults; local changes and pose are small uniform perturbations. Deterministic
for a given seed.
"""
from __future__ import annotations

import functools

import numpy as np

from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES, BodyParameters

MIN_AGE_YEARS, MAX_AGE_YEARS = 18.0, 80.0
LOCAL_CHANGE_SPREAD = 0.6  # local changes uniform in [-spread, spread]
# (bone, max rotation about X, Y, Z in degrees): small variations of the A-pose
POSE_JITTER = (
    ("upperarm01.L", (6.0, 8.0, 6.0)), ("upperarm01.R", (6.0, 8.0, 6.0)),
    ("lowerarm01.L", (8.0, 4.0, 4.0)), ("lowerarm01.R", (8.0, 4.0, 4.0)),
    ("upperleg01.L", (3.0, 3.0, 3.0)), ("upperleg01.R", (3.0, 3.0, 3.0)),
    ("spine03", (2.0, 2.0, 2.0)), ("neck01", (4.0, 3.0, 3.0)),
)


def sample_body(seed: int) -> BodyParameters:
    """One adult body (scale 1: Anny's own stature), its A-pose slightly varied."""
    import torch

    rng = np.random.default_rng(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        _, phenotypes = _shape_distribution().sample(1)
    values = {name: float(phenotypes[name][0]) for name in PHENOTYPES}
    local = rng.uniform(-LOCAL_CHANGE_SPREAD, LOCAL_CHANGE_SPREAD, len(LOCAL_CHANGES))
    pose = {bone: (np.radians(limits) * rng.uniform(-1, 1, 3)).round(6).tolist()
            for bone, limits in POSE_JITTER}
    return BodyParameters(
        phenotypes={k: round(min(max(v, 0.0), 1.0), 6) for k, v in values.items()},
        local_changes={k: round(float(v), 6) for k, v in zip(LOCAL_CHANGES, local)},
        pose=pose,
    )


@functools.lru_cache(maxsize=1)
def _shape_distribution():
    """Anny's calibrated phenotype distribution with ages uniform over adulthood."""
    import torch
    from anny.shape_distribution import SimpleShapeDistribution

    from neural.body.anny_body import load_anny

    model = load_anny()
    ages = torch.distributions.Uniform(
        torch.tensor(MIN_AGE_YEARS, dtype=model.dtype), torch.tensor(MAX_AGE_YEARS, dtype=model.dtype))
    return SimpleShapeDistribution(model, morphological_age_distribution=ages)
