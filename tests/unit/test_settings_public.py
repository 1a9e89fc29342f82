"""Production defaults of the public surface: API documentation pages off unless enabled; the maps'
basemap never a foreign tile server."""

from __future__ import annotations

import pytest

from service.settings import SettingsError, load_settings


def _production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "environment": "production",
        "database_url": "postgresql+psycopg://envmon:Xq7-random-pass-9Lw@db/envmon",
        "session_secret": "a-long-random-session-secret-1",
        "webhook_key": "another-long-random-webhook-key-2",
    }
    values.update(overrides)
    return values


def test_docs_off_in_production_unless_enabled() -> None:
    assert load_settings(environment="development").http.docs_enabled is True
    assert load_settings(**_production()).http.docs_enabled is False
    assert load_settings(**_production(docs_enabled=True)).http.docs_enabled is True


def test_production_basemap_is_offline_unless_an_approved_one_is_chosen() -> None:
    assert load_settings(environment="development").maps.map_basemap == "osm"
    assert load_settings(**_production()).maps.map_basemap == "offline"
    with pytest.raises(SettingsError, match="审图号"):
        load_settings(**_production(map_basemap="osm"))
    cache = "https://tiles.bureau.example/{z}/{x}/{y}.png"
    chosen = load_settings(**_production(map_basemap="osm", map_tiles=cache))
    assert (chosen.maps.map_basemap, chosen.maps.map_tiles) == ("osm", cache)
    assert load_settings(
        **_production(map_basemap="tianditu", tianditu_key="k" * 32)
    ).maps.map_basemap == ("tianditu")
