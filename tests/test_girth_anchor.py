"""The differentiable torso girths behind the fit's girth anchor agree with the tape."""
import pytest


def test_anchor_girths_match_the_tape_and_follow_the_shape():
    import torch

    from neural.body.anny_body import (LOCAL_CHANGES, PHENOTYPES, BodyParameters, body_forward,
                                       load_anny, measure_rest_body)
    from neural.fitting.girth_anchor import GirthAnchor

    body = BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES} | {"weight": 0.7})
    measured = measure_rest_body(body)
    height_m = measured["stature"] / 100.0
    anchor = GirthAnchor(body, height_m, measured, {})
    assert anchor.names == ["chest_girth", "waist_girth", "underbust_girth", "hip_girth",
                            "thigh_girth"]

    model = load_anny("cpu")
    phenotypes = torch.tensor([[body.phenotypes[k] for k in PHENOTYPES]], requires_grad=True)
    local = torch.zeros(1, len(LOCAL_CHANGES))
    rest = body_forward(model, phenotypes, local)["rest_vertices"][0]
    girths = anchor.girths_cm(rest)
    for name, girth in zip(anchor.names, girths.tolist()):
        assert girth == pytest.approx(measured[name], abs=0.15), name
    assert float(anchor.cost(rest.detach())) < 0.05

    girths.sum().backward()  # heavier means larger girths: the gradient says so
    assert phenotypes.grad[0, PHENOTYPES.index("weight")] > 0
