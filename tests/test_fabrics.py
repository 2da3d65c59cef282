"""Fabric presets: SI parameters with a stated source for each, and a soft knit still drapes."""
import pytest

from neural.garments.fabrics import fabric, fabric_table

PHYSICAL = ("density", "stretch", "shear", "bend", "friction")


@pytest.mark.parametrize("name", list(fabric_table()))
def test_every_parameter_has_a_source_and_a_plausible_value(name):
    preset = fabric(name)
    assert set(PHYSICAL) <= set(preset["sources"]) and preset["sources"]["what"]
    assert 0.03 <= preset["density"] <= 1.0  # kg/m^2: from chiffon to heavy coating
    assert 50.0 <= preset["stretch"] <= 1e5  # N/m
    assert 1.0 <= preset["shear"] <= 1e4  # N/m per rad
    assert 1e-7 <= preset["bend"] <= 1e-3  # N*m
    assert 0.1 <= preset["friction"] <= 1.0


def test_the_issues_fabrics_are_there():
    assert {"jersey", "denim", "silk", "wool_suiting", "knit"} <= set(fabric_table())


def test_a_soft_knit_tshirt_drapes_and_passes_the_gates(tmp_path):
    from neural.body.anny_body import PHENOTYPES, BodyParameters
    from neural.fitting.avatar_file import write_body_avatar
    from render_farm.stages import drape_stage, garment_stage

    body = BodyParameters(phenotypes={k: 0.5 for k in PHENOTYPES} | {"gender": 0.0})
    write_body_avatar(tmp_path / "avatar", body, "Anny's average man")
    garment_stage("tshirt", "S", "knit", tmp_path / "garment")
    fit = drape_stage(tmp_path / "avatar", tmp_path / "garment", tmp_path / "drape", "cpu")
    failed = {name: gate["value"] for name, gate in fit["gates"].items() if not gate["pass"]}
    assert not failed, f"quality gates failed: {failed}"
    assert fit["fabric"] == "knit"
