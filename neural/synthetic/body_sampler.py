"""Sample adult Anny bodies: calibrated phenotypes, local changes and a pose.

``sample_body``: phenotypes from Anny's own shape distribution (calibrated on WHO height/weight
data) restricted to adults; local changes and pose are small uniform perturbations
(``sample_standing_body``: such a body or a measured adult's, in a stance, below).
``sample_real_body``: bodies shaped like measured adults: a target (stature, chest, waist, hip)
is drawn near a person of ANSUR II (a kernel density, widened to reach past both ends of it,
plus a share of the extremes that fashion meets: model-thin waists, hips of 140-150 cm), and
the nearest of several broadly drawn Anny bodies, scaled to the target's stature, is kept (an
extreme target's body is then moved onto its stature, chest, waist and hip, ``_reach``); it
stands as people do in shoppers' photos (``ARM_STANCES``: arms hanging along the sides, a little
out, the A-pose, hands on the hips; ``BODY_STANCES``: straight, the weight on one leg, a slight
turn), its arms stopping against the body rather than passing through it (``stand``).
Deterministic for a given seed.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import numpy as np

from neural.body.anny_body import LOCAL_CHANGES, PHENOTYPES, BodyParameters

REAL_PEOPLE = Path(__file__).parent / "data" / "ansur2_torso.csv"
MEASURED = ("stature", "chest_girth", "waist_girth", "hip_girth")
CANDIDATES = 10  # Anny bodies drawn per target
KERNEL_SPREAD = 0.3  # of each measurement's standard deviation (by sex)
WIDEN = 1.3  # targets lie this much further from the median than ANSUR's people
EXTREMES = 0.1  # share of targets at the ends: (stature, chest, waist, hip) cm, by sex
EXTREME_TARGETS = {"female": ((178.0, 78.0, 58.0, 86.0), (165.0, 130.0, 118.0, 145.0)),
                   "male": ((182.0, 86.0, 66.0, 86.0), (178.0, 135.0, 128.0, 144.0))}
DISTANCE_WEIGHTS = np.array([0.0, 1.0, 0.5, 1.0])  # stature is matched by scaling; ANSUR's
# waist is at the navel, this project's at the natural waist: it counts half
# standing close-fitting people shaped like measured adults; the rest from Anny's own distribution,
# whose bodies stop short of the dressed people's ends (chest 80-117 cm on 90 % against 78-132)
REAL_BODY_SHARE = 0.5
MAX_RESCALE = 0.08  # a candidate is scaled by at most this to reach the target's stature
# what moves an extreme target's body onto its stature, chest, waist and hip (local changes,
# phenotypes)
REACH_KNOBS = ("measure-bust-circ-incr", "measure-waist-circ-incr", "measure-hips-circ-incr",
               "hip-scale-horiz-incr", "hip-scale-depth-incr", "buttocks-volume-incr",
               "torso-scale-horiz-incr", "stomach-pregnant-incr", "weight", "height")
REACH_STEPS = 5  # Gauss-Newton steps (knobs held at a bound they would pass)
REACH_PROBE = 0.1  # finite-difference step of a knob

MIN_AGE_YEARS, MAX_AGE_YEARS = 18.0, 80.0
LOCAL_CHANGE_SPREAD = 0.6  # local changes uniform in [-spread, spread]
# (bone, max rotation about X, Y, Z in degrees): small variations of the A-pose
POSE_JITTER = (
    ("upperarm01.L", (6.0, 8.0, 6.0)), ("upperarm01.R", (6.0, 8.0, 6.0)),
    ("lowerarm01.L", (8.0, 4.0, 4.0)), ("lowerarm01.R", (8.0, 4.0, 4.0)),
    ("upperleg01.L", (3.0, 3.0, 3.0)), ("upperleg01.R", (3.0, 3.0, 3.0)),
    ("spine03", (2.0, 2.0, 2.0)), ("neck01", (4.0, 3.0, 3.0)),
)

LOWERED = {"upperarm01.L": (0.0, 35.0, 0.0), "upperarm01.R": (0.0, -35.0, 0.0)}
# A stance is an arm pose and a body pose, drawn apart. Rotation vectors are in degrees, added to
# the A-pose; Anny's bone frames: +Y on the left upper arm lowers it towards the body, +Z on the
# root turns the body. Anny's A-pose holds the hands 40-50 deg out from the shoulders; 35 deg of
# LOWERED brings the upper arms of an average body to hang (hands 3-5 deg from vertical), as most
# shoppers stand: the outline's upper arms then cover the trunk's sides and the hands rest at the
# thighs.
# arm pose -> (share, rotations, (least, most) factor on the rotations, (least, most) clearance in
# metres between the forearms and hands and the rest of the body)
ARM_STANCES = {
    "a_pose": (0.25, {}, (1.0, 1.0), (0.015, 0.015)),
    "arms_slightly_out": (0.2, LOWERED, (0.4, 0.75), (0.015, 0.015)),
    "arms_down": (0.4, LOWERED, (0.9, 1.15), (0.015, 0.04)),
    "hands_on_hips": (0.15, {"upperarm01.L": (0.0, -5.0, 0.0), "lowerarm01.L": (0.0, 80.0, 0.0),
                             "upperarm01.R": (0.0, 5.0, 0.0), "lowerarm01.R": (0.0, -80.0, 0.0)},
                      (0.7, 1.3), (0.015, 0.015)),
}
# body pose -> (share, rotations, sided: drawn as given or mirrored); scaled by 1 +- STANCE_SPREAD
BODY_STANCES = {
    "straight": (0.6, {}, False),
    "weight_on_one_leg": (0.2, {"upperleg01.L": (0.0, 6.0, 0.0), "upperleg01.R": (0.0, 6.0, 0.0),
                                "spine01": (0.0, -4.0, 0.0)}, True),
    "turned": (0.2, {"root": (0.0, 0.0, 15.0)}, True),
}
STANCE_SPREAD = 0.3
# a stance that brings the forearms and hands in stops at its drawn clearance from the trunk and
# legs (never less than ARM_CLEARANCE_M: real arms rest against the body, not through it): the
# share of its rotations is cut in steps of 1/STANCE_STEPS until they clear
ARM_CLEARANCE_M = 0.015
STANCE_STEPS = 16


def sample_body(seed: int) -> BodyParameters:
    """One adult body (scale 1: Anny's own stature), its A-pose slightly varied."""
    import torch

    rng = np.random.default_rng(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        _, phenotypes = _shape_distribution().sample(1)
    values = {name: float(phenotypes[name][0]) for name in PHENOTYPES}
    return _varied_body(rng, values)


def sample_standing_body(seed: int) -> BodyParameters:
    """A close-fitting person's body standing as the dressed people do (an arm pose and a body
    pose drawn from ``ARM_STANCES`` and ``BODY_STANCES``, its arms stopping against the body,
    ``stand``): for ``REAL_BODY_SHARE`` of the seeds shaped like a measured adult
    (``sample_real_body``, the dressed people's bodies, ends included), else ``sample_body``."""
    if np.random.default_rng([seed, 5]).uniform() < REAL_BODY_SHARE:
        return sample_real_body(seed)
    return stand(sample_body(seed), *_stance(np.random.default_rng([seed, 4])))


def _varied_body(rng: np.random.Generator, phenotypes: dict[str, float]) -> BodyParameters:
    """A body of these phenotypes (clipped to [0, 1]) with uniform local changes and its A-pose
    slightly varied, drawn from ``rng``."""
    local = rng.uniform(-LOCAL_CHANGE_SPREAD, LOCAL_CHANGE_SPREAD, len(LOCAL_CHANGES))
    pose = {bone: (np.radians(limits) * rng.uniform(-1, 1, 3)).round(6).tolist()
            for bone, limits in POSE_JITTER}
    return BodyParameters(
        phenotypes={k: round(min(max(v, 0.0), 1.0), 6) for k, v in phenotypes.items()},
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


def sample_real_body(seed: int, staging: int = 0) -> BodyParameters:
    """One adult body shaped like a measured person (see the module's note), in the stance of
    ``staging``: staging 0 is the seed's own; others stand the same body anew (for more photos of
    one dressed person)."""
    shaped = _shaped_body(seed)
    stances = np.random.default_rng([seed, 4] if staging == 0 else [seed, 4, staging])
    return stand(shaped, *_stance(stances))


@functools.lru_cache(maxsize=4)
def _shaped_body(seed: int) -> BodyParameters:
    """The seed's body in its slightly varied A-pose, before a stance."""
    from neural.body.anny_body import measure_rest_body

    rng = np.random.default_rng([seed, 3])
    sex = "female" if rng.uniform() < 0.5 else "male"
    target, extreme = _target(rng, sex)
    best, best_distance = None, np.inf
    for _ in range(CANDIDATES):
        candidate = _broad_candidate(rng, sex)
        measured = measure_rest_body(candidate)
        scale = float(np.clip(target[0] / measured["stature"], 1 - MAX_RESCALE, 1 + MAX_RESCALE))
        girths = np.array([measured[key] for key in MEASURED]) * scale
        distance = float(np.sqrt((DISTANCE_WEIGHTS * (girths - target) ** 2).sum()))
        if distance < best_distance:
            best, best_distance = candidate, distance
            best_scale = round(scale, 6)
    best = BodyParameters(best.phenotypes, best.local_changes, best.pose, best_scale)
    if extreme:
        best = _reach(best, target)
    return best


def _reach(body: BodyParameters, target_cm: np.ndarray) -> BodyParameters:
    """``body`` with its ``REACH_KNOBS`` moved (least squares, within their ranges) so that its
    stature, chest, waist and hip (cm, at its own scale) come as near ``target_cm`` as they
    can."""
    from neural.body.anny_body import measure_rest_body

    def measured(knobs: np.ndarray) -> np.ndarray:
        """Stature, chest, waist and hip (cm) with the knobs at ``knobs``."""
        found = measure_rest_body(_with_knobs(body, knobs))
        return np.array([found[key] for key in MEASURED])

    low = np.array([0.0 if knob in PHENOTYPES else -1.0 for knob in REACH_KNOBS])
    knobs = np.array([body.phenotypes[knob] if knob in PHENOTYPES else body.local_changes[knob]
                      for knob in REACH_KNOBS])
    for _ in range(REACH_STEPS):
        now = measured(knobs)
        probes = np.where(knobs < 1.0 - REACH_PROBE, REACH_PROBE, -REACH_PROBE)
        jacobian = np.column_stack([(measured(knobs + probe * np.eye(len(knobs))[i]) - now) / probe
                                    for i, probe in enumerate(probes)])
        free = np.ones(len(knobs), bool)
        for _ in range(len(knobs)):  # knobs at a bound that the step would push past stay put
            step = np.zeros(len(knobs))
            step[free] = np.linalg.lstsq(jacobian[:, free], target_cm - now, rcond=None)[0]
            stuck = free & (((knobs >= 1.0) & (step > 0)) | ((knobs <= low) & (step < 0)))
            if not stuck.any():
                break
            free &= ~stuck
        knobs = np.clip(knobs + step, low, 1.0)
    return _with_knobs(body, knobs)


def _with_knobs(body: BodyParameters, knobs: np.ndarray) -> BodyParameters:
    """``body`` with ``REACH_KNOBS`` set to ``knobs``."""
    values = dict(zip(REACH_KNOBS, (round(float(k), 6) for k in knobs)))
    return replace(body, phenotypes=body.phenotypes | {k: v for k, v in values.items()
                                                       if k in PHENOTYPES},
                   local_changes=body.local_changes | {k: v for k, v in values.items()
                                                       if k not in PHENOTYPES})


def _stance(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], float]:
    """Rotations (bone -> rotation vector, radians) of an arm pose drawn from ``ARM_STANCES``
    and a body pose drawn from ``BODY_STANCES`` (scaled by 1 +- ``STANCE_SPREAD``, mirrored left
    to right half of the time); and the clearance (m) the arms keep from the body."""
    def draw(table: dict) -> tuple:
        names = list(table)
        shares = np.array([table[name][0] for name in names])
        return table[names[rng.choice(len(names), p=shares / shares.sum())]]

    _, arm_rotations, factors, clearance = draw(ARM_STANCES)
    _, body_rotations, sided = draw(BODY_STANCES)
    arm_amount = rng.uniform(*factors)
    body_amount = 1.0 + rng.uniform(-STANCE_SPREAD, STANCE_SPREAD)
    if rng.uniform() < 0.5 and sided:  # the other leg, the other way round
        body_amount = -body_amount
    rotations = {bone: np.radians(degrees) * arm_amount
                 for bone, degrees in arm_rotations.items()}
    rotations |= {bone: np.radians(degrees) * body_amount
                  for bone, degrees in body_rotations.items()}
    return rotations, float(rng.uniform(*clearance))


def stand(body: BodyParameters, added: dict[str, np.ndarray],
          clearance_m: float = ARM_CLEARANCE_M) -> BodyParameters:
    """``body`` with the rotations ``added`` to its pose: all of them, or the largest share
    (in steps of 1 / ``STANCE_STEPS``) that keeps its forearms and hands ``clearance_m`` (at
    least ``ARM_CLEARANCE_M``) from the rest of the body (or as far as in its own pose, when
    they are nearer there)."""
    from scipy.spatial import cKDTree

    from neural.body.anny_body import ARM_BONES, FOREARM_BONES, posed_body, skinned_to

    forearms, trunk = skinned_to(FOREARM_BONES), ~skinned_to(ARM_BONES)

    def clearance(share: float) -> float:
        vertices = posed_body(_with_pose(body, added, share))
        return float(cKDTree(vertices[trunk]).query(vertices[forearms])[0].min())

    needed = min(max(clearance_m, ARM_CLEARANCE_M), clearance(0.0))
    for step in range(1, STANCE_STEPS + 1):
        if clearance(step / STANCE_STEPS) < needed:
            return _with_pose(body, added, (step - 1) / STANCE_STEPS)
    return _with_pose(body, added, 1.0)


def _with_pose(body: BodyParameters, added: dict[str, np.ndarray], share: float
               ) -> BodyParameters:
    """``body`` with ``share`` of the rotation vectors ``added`` (radians) added to its pose."""
    posed = {bone: list(value) for bone, value in body.pose.items()}
    for bone, rotation in added.items():
        total = np.asarray(posed.get(bone, (0.0, 0.0, 0.0))) + share * rotation
        posed[bone] = total.round(6).tolist()
    return replace(body, pose=posed)


def _target(rng: np.random.Generator, sex: str) -> tuple[np.ndarray, bool]:
    """(stature, chest, waist, hip) cm to aim for, and whether it is one of the extremes."""
    people = real_people()[sex]
    if rng.uniform() < EXTREMES:
        low, high = (np.array(end) for end in EXTREME_TARGETS[sex])
        return (low if rng.uniform() < 0.5 else high), True
    median, spread = np.median(people, 0), people.std(0)
    person = people[rng.integers(len(people))]
    return median + WIDEN * (person - median) + rng.normal(0.0, KERNEL_SPREAD * spread), False


def _broad_candidate(rng: np.random.Generator, sex: str) -> BodyParameters:
    """An adult of the given sex from Anny's distribution, with weight and muscle drawn from
    their whole range half of the time, and local changes and pose as ``sample_body``'s."""
    import torch

    with torch.random.fork_rng():
        torch.manual_seed(int(rng.integers(2**31)))
        _, phenotypes = _shape_distribution().sample(1)
    values = {name: float(phenotypes[name][0]) for name in PHENOTYPES}
    values["gender"] = rng.uniform(0.0, 0.15) if sex == "male" else rng.uniform(0.85, 1.0)
    if rng.uniform() < 0.5:
        values["weight"], values["muscle"] = rng.uniform(), rng.uniform()
    return _varied_body(rng, values)


@functools.lru_cache(maxsize=1)
def real_people() -> dict[str, np.ndarray]:
    """ANSUR II's (stature, chest, waist, hip) in cm, (N, 4) by sex."""
    import csv

    with REAL_PEOPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return {sex: np.array([[float(row[key]) for key in ("stature", "chest", "waist", "hip")]
                           for row in rows if row["sex"] == sex]) for sex in ("male", "female")}
