"""Lab and automatic-station headers for the GB 3097-1997 seawater items (docs/seawater.md)."""

from __future__ import annotations

import pytest

from stations.collectors._water import match_header
from stations.standards import tables as T


@pytest.mark.parametrize(
    ("header", "item", "factor"),
    [
        ("无机氮(mg/L)", "DIN", 1.0),
        ("DIN", "DIN", 1.0),
        ("硝酸盐氮（mg/L）", "NO3_N", 1.0),
        ("亚硝酸盐氮(μg/L)", "NO2_N", 1e-3),
        ("活性磷酸盐(μg/L)", "PO4_P", 1e-3),
        ("Reactive phosphate (mg/L)", "PO4_P", 1.0),
        ("非离子氨", "NH3_nonionic", 1.0),
        ("总铬(μg/L)", "Cr", 1e-3),
        ("镍(mg/L)", "Ni", 1.0),
        ("苯并(a)芘(ng/L)", "BaP", 1e-6),
        ("苯并[a]芘", "BaP", 1.0),
        ("大肠菌群(个/L)", "coliform", 1.0),
        ("盐度(‰)", "salinity", 1.0),
        ("Salinity (PSU)", "salinity", 1.0),
    ],
)
def test_seawater_headers_map_to_items_and_units(header: str, item: str, factor: float) -> None:
    got = match_header(header)
    assert isinstance(got, tuple)
    assert got[0] == item
    assert got[1] == pytest.approx(factor)


def test_a_salinity_header_in_a_mass_unit_is_refused_with_the_item_named() -> None:
    got = match_header("盐度(mg/L)")
    assert isinstance(got, str) and "salinity" in got


def test_every_classed_seawater_item_has_a_header_name() -> None:
    known = {match_header(item)[0] for item in T.SEA_ITEMS if isinstance(match_header(item), tuple)}
    assert known == set(T.SEA_ITEMS)
