"""The JSON Schemas published in docs/schemas/ are the models' own, and the files the stages
really write pass them in an independent validator (jsonschema), as an integrator's would."""
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from render_farm.schemas import MODELS, schema_text

PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "schemas"
EXAMPLE_JOB = Path(__file__).resolve().parent.parent / "examples" / "demo_job.yaml"


def published(name: str) -> Draft202012Validator:
    schema = json.loads((PUBLISHED / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("name", MODELS)
def test_the_published_schema_is_the_models(name):
    assert (PUBLISHED / f"{name}.schema.json").read_text() == schema_text(MODELS[name]), \
        f"docs/schemas/{name}.schema.json is stale: run python -m render_farm.schemas"


def test_real_stage_files_and_the_example_job_pass_their_schemas(avatar_dir, garment_dir,
                                                                  drape_dir):
    for name, path in (("avatar", avatar_dir / "avatar.json"),
                       ("garment", garment_dir / "garment.json"),
                       ("fit", drape_dir / "fit.json")):
        document = json.loads(path.read_text())
        assert not list(published(name).iter_errors(document)), path
    assert not list(published("job").iter_errors(yaml.safe_load(EXAMPLE_JOB.read_text())))
    # A schema that accepted anything would pass the above: it refuses a damaged file.
    damaged = json.loads((drape_dir / "fit.json").read_text()) | {"strain_p95": "low"}
    assert list(published("fit").iter_errors(damaged))


@pytest.mark.blender
def test_a_real_render_json_passes_its_schema(drape_dir, tmp_path):
    from render_farm.render_stage import render_stage

    document = render_stage(drape_dir, tmp_path, ["front"], 1, (32, 48), "studio", "cpu")
    assert document == json.loads((tmp_path / "render.json").read_text())
    assert not list(published("render").iter_errors(document))


def test_a_stage_refuses_to_write_a_document_its_model_refuses():
    from neural.stage_files import checked

    with pytest.raises(ValidationError, match="images"):
        checked("render.json", {"schema": "tryon.render", "schema_version": 2, "engine": "CYCLES",
                                "template": "studio", "samples": 1, "resolution": [32, 48],
                                "denoiser": "OPENIMAGEDENOISE", "device": "CPU",
                                "views": ["front"], "seconds_per_image": 0.1})
