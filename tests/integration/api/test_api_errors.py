"""problem+json: one shape for every error, naming field and rule, in Chinese or English; 5xx bodies
never show internals; 4xx are logged at INFO at most."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from service.api.errors import NotFound, ValidationFailed
from service.api.schemas import Problem


def _problem(response) -> Problem:
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = Problem.model_validate(response.json())
    assert problem.status == response.status_code
    assert problem.type.startswith("urn:envmon:problem:")
    return problem


def test_unknown_route_is_a_problem(client: TestClient):
    problem = _problem(client.get("/api/v1/nothing-here"))
    assert problem.status == 404
    assert problem.instance == "/api/v1/nothing-here"


def test_request_validation_names_field_and_rule(client: TestClient):
    problem = _problem(client.get("/api/v1/stations", params={"format": "xml"}))
    assert problem.status == 422
    assert problem.field == "format"
    assert problem.rule == "enum"
    assert problem.errors and problem.errors[0].field == "format"
    assert "format" in problem.detail


def test_language_from_query_then_accept_language(client: TestClient):
    zh = _problem(client.get("/nope"))
    en = _problem(client.get("/nope", params={"lang": "en"}))
    en_header = _problem(client.get("/nope", headers={"Accept-Language": "en-US,zh;q=0.5"}))
    query_wins = _problem(client.get("/nope?lang=zh", headers={"Accept-Language": "en"}))
    assert zh.title == query_wins.title != en.title == en_header.title
    assert en.title.isascii() and not zh.title.isascii()


def test_domain_errors_map_through_the_one_table(app, client: TestClient):
    @app.get("/test/missing")
    def _missing() -> None:
        raise NotFound("thing.station", "XX1", field="code", rule="station_exists")

    @app.get("/test/invalid")
    def _invalid() -> None:
        raise ValidationFailed("from", "before_to")

    missing = _problem(client.get("/test/missing", params={"lang": "en"}))
    assert (missing.status, missing.field, missing.rule) == (404, "code", "station_exists")
    assert missing.detail == "Station XX1 does not exist"
    invalid = _problem(client.get("/test/invalid"))
    assert (invalid.status, invalid.field, invalid.rule) == (422, "from", "before_to")


def test_unhandled_error_is_generic_and_logged(app, caplog: pytest.LogCaptureFixture):
    @app.get("/test/boom")
    def _boom() -> None:
        raise RuntimeError("password=hunter2 at /srv/secret/path")

    with caplog.at_level(logging.INFO, logger="envmon.api"):
        response = TestClient(app, raise_server_exceptions=False).get("/test/boom")
    problem = _problem(response)
    assert problem.status == 500
    assert "hunter2" not in response.text and "/srv/secret" not in response.text
    assert "hunter2" in caplog.text


def test_client_errors_are_logged_at_info_at_most(client: TestClient, caplog):
    with caplog.at_level(logging.DEBUG, logger="envmon.api"):
        client.get("/nope")
        client.get("/api/v1/stations", params={"district": "x"})
        client.get("/api/v1/staff/readings")
    records = [r for r in caplog.records if r.name == "envmon.api"]
    assert records and max(r.levelno for r in records) <= logging.INFO
