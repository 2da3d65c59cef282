"""Draping a t-shirt on the fitted body with Newton's cloth solver."""
import json


def test_drape_quality(drape_dir):
    fit = json.loads((drape_dir / "fit.json").read_text())
    assert fit["max_penetration_mm"] <= 2.0
    assert fit["strain_p95"] <= 0.10
    assert set(fit["gates"]) >= {"max_penetration_mm", "strain_p95", "seam_gap_max_mm"}
    failed = [name for name, gate in fit["gates"].items() if not gate["pass"]]
    assert not failed, f"quality gates failed: {failed}"
    assert (drape_dir / "draped.glb").stat().st_size > 10000
