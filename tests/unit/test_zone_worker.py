"""The zone parse in a child process (issue 22, finding 3): a wall-time limit refuses a slow file
naming the limit, ``stop`` ends the parse at once, and the child never outlives either."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from geodata.zones_io import ZoneLimits, ZoneValidationError
from service.isolated_parse import ParseStopped
from service.zone_worker import WorkerLimits, parse_isolated

DATA = Path(__file__).parent / "geodata" / "data"


def _points(tmp_path: Path, n: int) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"p{i}", "kind": "anchorage"},
            "geometry": {"type": "Point", "coordinates": [122.1 + (i % 500) * 4e-4, 29.95]},
        }
        for i in range(n)
    ]
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_a_good_file_is_parsed_in_the_child() -> None:
    rows = parse_isolated(DATA / "good_zones.csv", "csv", "good.csv", WorkerLimits(ZoneLimits()))
    assert len(rows) == 3
    assert {"code", "name", "kind", "geometry_geojson", "min_lon"} <= set(rows[0])
    assert multiprocessing.active_children() == []


def test_wall_time_limit_refuses_naming_it(tmp_path: Path) -> None:
    limits = WorkerLimits(ZoneLimits(), wall_seconds=0.2)
    with pytest.raises(ZoneValidationError) as info:
        parse_isolated(_points(tmp_path, 20_000), "geojson", "slow.geojson", limits)
    [problem] = info.value.problems
    assert problem.rule == "too_slow" and "0.2 s" in problem.message
    assert multiprocessing.active_children() == []


def test_stop_ends_the_parse_and_the_child(tmp_path: Path) -> None:
    with pytest.raises(ParseStopped) as info:
        parse_isolated(
            _points(tmp_path, 20_000),
            "geojson",
            "p.geojson",
            WorkerLimits(ZoneLimits()),
            stop=lambda: "cancelled",
        )
    assert info.value.reason == "cancelled"
    assert multiprocessing.active_children() == []


def test_feature_and_vertex_limits_name_the_numbers(tmp_path: Path) -> None:
    path = _points(tmp_path, 50)
    for limits, rule in (
        (ZoneLimits(max_features=10), "too_many_features"),
        (ZoneLimits(max_vertices=10), "too_many_vertices"),
    ):
        with pytest.raises(ZoneValidationError) as info:
            parse_isolated(path, "geojson", "p.geojson", WorkerLimits(limits))
        [problem] = info.value.problems
        assert problem.rule == rule and "50" in problem.message and "10" in problem.message


def test_deeply_nested_json_is_refused_not_a_crash(tmp_path: Path) -> None:
    """Finding 10: arrays nested 100,000 deep raised RecursionError (a 500 before)."""
    path = tmp_path / "deep.geojson"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ZoneValidationError) as info:
        parse_isolated(path, "geojson", "deep.geojson", WorkerLimits(ZoneLimits()))
    assert info.value.problems[0].rule == "too_deep"
