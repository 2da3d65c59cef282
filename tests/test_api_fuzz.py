"""The storefront API fuzzed from its own OpenAPI document with schemathesis (Hypothesis):
requests that follow the document and requests that break it, with a valid key; none may get
a 500."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from recommender.api import create_app
from recommender.api.config import settings_from_environment

EXAMPLES = 40  # per operation and mode


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gets_a_server_error(tmp_path, mode):
    app = create_app(settings_from_environment(tmp_path))
    key = app.extensions["tryon"]["data"].create_key("fuzzed shop")
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"},
                                   checks=[not_a_server_error])

        no_server_error()
