"""The OpenAPI document of the agent's local API: it lists exactly the app's routes, is served
signed at ``/openapi.json``, and its shared parts say what the validators accept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector_agent.api.openapi import document
from luxebrain.clock import FrozenClock
from tests.integration.test_api_support import Api, error_of


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


def app_routes(api: Api) -> set[tuple[str, str]]:
    """``(method, /path/{param})`` of every route the app serves."""
    return {
        (method.lower(), re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in api.app.url_map.iter_rules()
        for method in rule.methods or ()
        if method in ("GET", "POST", "PUT", "PATCH", "DELETE") and rule.endpoint != "static"
    }


def documented(doc: dict) -> set[tuple[str, str]]:
    return {(method, route) for route, item in doc["paths"].items() for method in item}


def test_every_route_of_the_app_is_documented_and_nothing_else(api: Api) -> None:
    routes, doc = app_routes(api), documented(document())
    assert routes - doc == set(), "served but not documented"
    assert doc - routes == set(), "documented but not served"


def test_a_route_added_to_the_app_shows_up_as_undocumented(api: Api) -> None:
    @api.app.get("/v1/extra")
    async def extra() -> dict[str, str]:
        return {}

    assert app_routes(api) - documented(document()) == {("get", "/v1/extra")}


def test_every_path_parameter_and_every_error_response_is_described() -> None:
    doc = document()
    for route, item in doc["paths"].items():
        for method, op in item.items():
            names = {p["name"] for p in op["parameters"] if "name" in p and p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", route)), (method, route)
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    target = response.get("$ref", "")
                    schema = response.get("content", {}).get("application/json", {}).get("schema")
                    assert target.startswith("#/components/responses/") or schema == {
                        "$ref": "#/components/schemas/Error"
                    }, (method, route, status)


def test_only_healthz_and_the_webhook_are_documented_unsigned() -> None:
    doc = document()
    assert set(doc["components"]["securitySchemes"]) == {
        "timestamp",
        "nonce",
        "signature",
        "metricsToken",
    }
    # the metrics token is an alternative on GET /metrics only
    tokened = {
        route
        for route, item in doc["paths"].items()
        for op in item.values()
        if {"metricsToken": []} in op.get("security", [])
    }
    assert tokened == {"/metrics"}
    unsigned = {
        route
        for route, item in doc["paths"].items()
        for op in item.values()
        if op.get("security") == []
    }
    assert unsigned == {"/healthz", "/v1/webhooks/woocommerce"}


async def test_the_document_is_served_signed(api: Api) -> None:
    assert await api.ok("GET", "/openapi.json") == document()
    response = await api.client.get("/openapi.json")
    assert response.status_code == 401
    assert (await error_of(response))["code"] == "unauthorized"


def test_the_id_pattern_is_the_validators_own() -> None:
    pattern = re.compile(document()["components"]["schemas"]["Id"]["pattern"])
    assert pattern.fullmatch("sku-12:a.b_c")
    assert not pattern.fullmatch("a b") and not pattern.fullmatch("x" * 65)


def test_the_reference_for_people_names_every_route() -> None:
    reference = (Path(__file__).parents[2] / "docs" / "agent" / "api.md").read_text()
    missing = [
        f"{method.upper()} {route}"
        for route, item in document()["paths"].items()
        for method in item
        if f"{method.upper()} {route}" not in reference
    ]
    assert missing == []
