"""Shared pieces of the water parsers: item names, header units, cell values (non-detects).

Item keys follow issue 2 (GB 3838-2002 Table 1/2 items) plus the automatic stations' extra items::

    pH DO CODMn COD BOD5 NH3N TP TN Cu Zn F Se As Hg Cd Cr6 Pb CN phenol petroleum LAS sulfide
    fecal_coliform   |   water_temp conductivity turbidity chla algae_density
    seawater (GB 3097-1997): DIN NO3_N NO2_N NH3_nonionic PO4_P Cr Ni HCH DDT malathion
    methyl_parathion BaP SS coliform salinity

Units out: mg/L, except pH (dimensionless), fecal_coliform (per L), water_temp (°C), conductivity
(µS/cm), turbidity (NTU), algae_density (cells/L), salinity (PSU, ‰ taken as equal). A header may carry its unit in brackets —
``铜(μg/L)``, ``DO (mg/L)``, ``粪大肠菌群（个/L）`` — otherwise the item's default unit is assumed.

Cells: a number; a non-detect ``ND`` / ``N.D.`` / ``未检出`` (detection limit from a "检出限" row if the
file has one, else unknown), ``<0.01`` / ``＜0.01`` or the Chinese lab notation ``0.01L`` (below the
detection limit 0.01); ``""``, ``--``, ``—``, ``/`` mean not measured (no sample, no rejection).
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

#: item key -> (aliases, lower-cased for matching; default unit)
ITEMS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "pH": (("ph", "ph值", "酸碱度"), "1"),
    "DO": (("do", "溶解氧", "dissolved oxygen"), "mg/l"),
    "CODMn": (("codmn", "cod_mn", "高锰酸盐指数", "permanganate index", "imn"), "mg/l"),
    "COD": (("cod", "codcr", "化学需氧量", "chemical oxygen demand"), "mg/l"),
    "BOD5": (("bod5", "bod", "五日生化需氧量", "生化需氧量"), "mg/l"),
    "NH3N": (("nh3-n", "nh3n", "nh3_n", "氨氮", "ammonia nitrogen", "ammonia"), "mg/l"),
    "TP": (("tp", "总磷", "total phosphorus"), "mg/l"),
    "TN": (("tn", "总氮", "total nitrogen"), "mg/l"),
    "Cu": (("cu", "铜", "copper"), "mg/l"),
    "Zn": (("zn", "锌", "zinc"), "mg/l"),
    "F": (("f", "f-", "氟化物", "fluoride"), "mg/l"),
    "Se": (("se", "硒", "selenium"), "mg/l"),
    "As": (("as", "砷", "arsenic"), "mg/l"),
    "Hg": (("hg", "汞", "mercury"), "mg/l"),
    "Cd": (("cd", "镉", "cadmium"), "mg/l"),
    "Cr6": (("cr6", "cr6+", "cr(vi)", "六价铬", "hexavalent chromium"), "mg/l"),
    "Pb": (("pb", "铅", "lead"), "mg/l"),
    "CN": (("cn", "cn-", "氰化物", "cyanide"), "mg/l"),
    "phenol": (("phenol", "挥发酚", "volatile phenol", "volatile phenols"), "mg/l"),
    "petroleum": (("petroleum", "石油类", "oil", "petroleum oils"), "mg/l"),
    "LAS": (("las", "阴离子表面活性剂", "anionic surfactant", "anionic surfactants"), "mg/l"),
    "sulfide": (("sulfide", "sulphide", "硫化物"), "mg/l"),
    "fecal_coliform": (
        ("fecal_coliform", "fecal coliform", "fecal coliforms", "粪大肠菌群", "粪大肠菌群数"),
        "/l",
    ),
    # GB 3097-1997 表1 seawater items (nearshore points; docs/seawater.md)
    "DIN": (("din", "无机氮", "inorganic nitrogen", "dissolved inorganic nitrogen"), "mg/l"),
    "NO3_N": (
        ("no3-n", "no3_n", "no3n", "硝酸盐氮", "硝酸盐", "nitrate", "nitrate nitrogen"),
        "mg/l",
    ),
    "NO2_N": (
        ("no2-n", "no2_n", "no2n", "亚硝酸盐氮", "亚硝酸盐", "nitrite", "nitrite nitrogen"),
        "mg/l",
    ),
    "NH3_nonionic": (
        ("nh3_nonionic", "非离子氨", "un-ionized ammonia", "unionized ammonia"),
        "mg/l",
    ),
    "PO4_P": (
        ("po4-p", "po4_p", "po4p", "活性磷酸盐", "磷酸盐", "reactive phosphate", "phosphate"),
        "mg/l",
    ),
    "Cr": (("cr", "总铬", "total chromium", "chromium"), "mg/l"),
    "Ni": (("ni", "镍", "nickel"), "mg/l"),
    "HCH": (("hch", "六六六", "hexachlorocyclohexane"), "mg/l"),
    "DDT": (("ddt", "滴滴涕"), "mg/l"),
    "malathion": (("malathion", "马拉硫磷"), "mg/l"),
    "methyl_parathion": (("methyl_parathion", "methyl parathion", "甲基对硫磷"), "mg/l"),
    "BaP": (
        ("bap", "苯并(a)芘", "苯并[a]芘", "苯并芘", "benzo(a)pyrene", "benzo[a]pyrene"),
        "mg/l",
    ),
    "SS": (("ss", "悬浮物", "悬浮物质", "suspended solids", "suspended matter"), "mg/l"),
    "coliform": (("coliform", "total coliform", "total coliforms", "大肠菌群", "总大肠菌群"), "/l"),
    "salinity": (("salinity", "盐度"), "psu"),
    "water_temp": (("water_temp", "水温", "water temperature", "temperature", "temp"), "°c"),
    "conductivity": (("conductivity", "电导率", "ec"), "µs/cm"),
    "turbidity": (("turbidity", "浊度"), "ntu"),
    "chla": (("chla", "叶绿素α", "叶绿素a", "chlorophyll a", "chlorophyll-a"), "mg/l"),
    "algae_density": (("algae_density", "藻密度", "algal density"), "cells/l"),
}

_ALIAS: Final[dict[str, str]] = {a: key for key, (aliases, _) in ITEMS.items() for a in aliases}

#: unit (lower case, µ/μ unified) -> (dimension, factor to the item's output unit)
_UNITS: Final[dict[str, tuple[str, float]]] = {
    "mg/l": ("mass", 1.0),
    "µg/l": ("mass", 1e-3),
    "ug/l": ("mass", 1e-3),
    "ng/l": ("mass", 1e-6),
    "g/l": ("mass", 1e3),
    "1": ("none", 1.0),
    "无量纲": ("none", 1.0),
    "无": ("none", 1.0),
    "-": ("none", 1.0),
    "/l": ("count", 1.0),
    "个/l": ("count", 1.0),
    "mpn/l": ("count", 1.0),
    "cfu/l": ("count", 1.0),
    "个/100ml": ("count", 10.0),
    "mpn/100ml": ("count", 10.0),
    "cfu/100ml": ("count", 10.0),
    "°c": ("temp", 1.0),
    "℃": ("temp", 1.0),
    "c": ("temp", 1.0),
    "µs/cm": ("cond", 1.0),
    "us/cm": ("cond", 1.0),
    "ms/cm": ("cond", 1000.0),
    "ntu": ("turb", 1.0),
    "cells/l": ("cells", 1.0),
    "个/l_cells": ("cells", 1.0),
    "psu": ("sal", 1.0),
    "‰": ("sal", 1.0),
    "ppt": ("sal", 1.0),
}

_DEFAULT_DIM: Final[dict[str, str]] = {
    "1": "none",
    "mg/l": "mass",
    "/l": "count",
    "°c": "temp",
    "µs/cm": "cond",
    "ntu": "turb",
    "cells/l": "cells",
    "psu": "sal",
}

_HEADER_RE: Final = re.compile(r"^\s*(?P<name>.+?)\s*[\(（\[](?P<unit>[^\)）\]]*)[\)）\]]\s*$")

MISSING_CELLS: Final = frozenset(
    {"", "--", "-", "—", "/", "na", "n/a", "nan", "none", "null", "未测", "未监测"}
)
ND_CELLS: Final = frozenset({"nd", "n.d.", "n.d", "未检出", "未检", "<dl", "<lod", "bdl"})


def _norm_unit(u: str) -> str:
    return u.strip().lower().replace("μ", "µ").replace(" ", "").replace("³", "3")


def match_header(header: str) -> tuple[str, float] | str | None:
    """``(item, factor)`` for an item column; an error text for a known item with a bad unit; None
    for a column that is not an item."""
    h = header.strip()
    m = _HEADER_RE.match(h)
    name, unit = (m.group("name"), m.group("unit")) if m else (h, None)
    item = _ALIAS.get(name.strip().lower())
    if item is None:
        return None
    default = ITEMS[item][1]
    if unit is None or unit.strip() == "":
        return item, 1.0
    nu = _norm_unit(unit)
    if item == "algae_density" and nu == "个/l":
        nu = "cells/l"
    got = _UNITS.get(nu)
    if got is None or got[0] != _DEFAULT_DIM[default]:
        return f"unit: {unit!r} is not a known unit for {item} (expected like {default})"
    return item, got[1]


def parse_cells(
    text: pd.Series, factor: float
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """Cells -> (value, detection_limit, below_limit, missing, bad), vectorised.

    ``value``/``detection_limit`` are already multiplied by ``factor``. A non-detect without a limit
    gets value NaN and below_limit True; its limit may be filled by the caller from a 检出限 row.
    """
    s = text.astype("string").str.strip()
    low = s.str.lower()
    missing = s.isna() | low.isin(MISSING_CELLS)
    nd = low.isin(ND_CELLS)
    lt = s.str.extract(r"^[<＜≤]\s*([0-9.eE+-]+)\s*$", expand=False)
    lsuf = s.str.extract(r"^([0-9.eE+-]+)\s*[Ll]$", expand=False)
    limit_text = lt.fillna(lsuf)
    dl = pd.to_numeric(limit_text, errors="coerce").astype("float64")
    below = nd | dl.notna()
    num = pd.to_numeric(s.where(~below & ~missing), errors="coerce").astype("float64")
    value = num.where(~below, dl)
    bad = ~missing & ~below & num.isna()
    return (
        value * factor,
        dl * factor,
        below.fillna(False).astype(bool),
        missing.fillna(False).astype(bool),
        bad.fillna(False).astype(bool),
    )


def cells_to_text(rows: list[list[object]]) -> list[list[str]]:
    """Normalise spreadsheet cells to strings (dates to ISO text, numbers without trailing .0)."""
    out: list[list[str]] = []
    for row in rows:
        cells: list[str] = []
        for v in row:
            if v is None:
                cells.append("")
            elif hasattr(v, "isoformat"):
                cells.append(v.isoformat())
            elif isinstance(v, float) and v.is_integer():
                cells.append(str(int(v)))
            else:
                cells.append(str(v))
        out.append(cells)
    return out


def pad(rows: list[list[str]]) -> np.ndarray:
    width = max((len(r) for r in rows), default=0)
    arr = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        arr[i, : len(r)] = r
    return arr
