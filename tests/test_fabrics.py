"""Fabric presets: SI parameters with a stated source for each, and a soft knit still drapes."""
import pytest

from neural.garments.fabrics import fabric, fabric_table
from tests.conftest import drape_on_average_body

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
    fit = drape_on_average_body(tmp_path, "tshirt", gender=0.0, fabric="knit", size="S")
    assert fit["fabric"] == "knit"
