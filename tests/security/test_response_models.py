"""Every route answering JSON declares its response model (STYLE lesson 20): the OpenAPI documents say what comes."""

from __future__ import annotations

import pytest

from tests.security.test_input import SERVICES, build_app


def declared(response: dict) -> bool:
    """A JSON answer whose schema is a named model (or a list of one); a non-JSON answer needs none."""
    content = response.get("content", {})
    if "application/json" not in content:
        return bool(content)
    schema = content["application/json"].get("schema", {})
    return "$ref" in schema or "$ref" in schema.get("items", {})


@pytest.mark.parametrize("service", SERVICES)
def test_every_json_route_declares_its_response_model(service, tmp_path):
    document = build_app(service, tmp_path).openapi()
    undeclared = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == "/metrics":
                continue
            success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            if not declared(success):
                undeclared.append(f"{method.upper()} {path}")
    assert undeclared == []
