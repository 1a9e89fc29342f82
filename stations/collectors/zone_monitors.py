"""Yard-boundary (厂界), in-plant (厂区内) and port monitors: the documented CSV/JSON reading form.

The form is documented in ``docs/supervision.md`` with a sample (``docs/samples/zone_monitors.csv``).
One reading per row (CSV) or per object of ``readings`` (JSON ``{"format": "envmon.zone-monitors/1",
"readings": [...]}``), with the fields (CSV headers in English or Chinese, case ignored)::

    monitor    点位编码 / 站点编码   registry code, name or alias of a ``boundary``/``plant``/``port`` station
    time       时间 / 监测时间       END of the hour, ISO 8601 WITH an offset (2026-11-03T10:00+08:00)
    parameter  监测项目 / 项目       NMHC 非甲烷总烃, TVOC, NO, NOX 氮氧化物, BENZENE 苯, TOLUENE 甲苯,
                                     XYLENES 二甲苯, a PAMS code, or an AQI pollutant (NO2, SO2, PM25...)
    value      浓度 / 监测值         number
    unit       单位                  µg/m³, mg/m³ (ppb/ppm only for single compounds)
    flag       数据标记 / 标记        optional HJ 212-2017 data flag: N (or empty) normal, T over range,
                                     F stopped, M maintenance, D fault, C calibration, B comms (invalid)

Each value is converted to its parameter's stored unit (``stations.parameters``; AQI pollutants to
µg/m³, CO to mg/m³). A flag other than N is stored as ``hj212:<flag>``; the invalid ones
(``INVALID_FLAGS``) are kept for the record but no statistic, limit or alert counts them.
Rows that break a rule are rejected with the field and rule; pure, never raises.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any, ClassVar, Final

import httpx
import numpy as np
import pandas as pd

from stations.collectors._checks import (
    check_readings,
    never_raises,
    parse_aware_times,
    payload_rejected,
)
from stations.collectors.base import ParseContext, Payload, Window
from stations.collectors.openaq import unit_factor as aqi_unit_factor
from stations.model import POLLUTANTS, Parsed, Rejected
from stations.names import NameIndex
from stations.parameters import PARAMETERS
from stations.parameters import unit_factor as extra_unit_factor

FORMAT: Final = "envmon.zone-monitors/1"

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "monitor": ("monitor", "station", "点位编码", "站点编码", "点位", "监测点位"),
    "time": ("time", "时间", "监测时间", "数据时间"),
    "parameter": ("parameter", "item", "监测项目", "项目", "污染物"),
    "value": ("value", "浓度", "监测值", "数值"),
    "unit": ("unit", "units", "单位"),
    "flag": ("flag", "数据标记", "标记"),
}

#: Parameter words of the files -> stored code.
PARAMETER_WORDS: Final[dict[str, str]] = {
    **{code.lower(): code for code in PARAMETERS},
    **{p.name_zh: code for code, p in PARAMETERS.items()},
    **{p.lower(): p for p in POLLUTANTS},
    "nox": "NOX",
    "氮氧化物": "NOX",
    "一氧化氮": "NO",
    "非甲烷总烃": "NMHC",
    "总挥发性有机物": "TVOC",
    "pm2.5": "PM25",
    "二氧化氮": "NO2",
    "二氧化硫": "SO2",
}

#: HJ 212-2017 data flags whose value is not a measurement of the air.
INVALID_FLAGS: Final = frozenset({"F", "M", "D", "C", "B"})
#: Every flag the form knows (N normal, T over the analyser's range: a real, high value).
KNOWN_FLAGS: Final = frozenset({"N", "T"}) | INVALID_FLAGS
#: Prefix of a stored HJ 212 flag.
FLAG_PREFIX: Final = "hj212:"


def _factor(code: str, unit: str) -> float | None:
    if code in PARAMETERS:
        return extra_unit_factor(code, unit)
    return aqi_unit_factor(code, unit)


def _rows(raw: bytes) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The form's rows as dicts of the canonical field names, or (None, why)."""
    text = raw.decode("utf-8-sig", errors="strict")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        obj = json.loads(stripped)
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            return None, f'payload: a JSON form needs "format": "{FORMAT}"'
        rows = obj.get("readings")
        if not isinstance(rows, list):
            return None, "payload: no 'readings' list"
        return [r if isinstance(r, dict) else {} for r in rows], None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return None, "payload: empty file"
    names: dict[int, str] = {}
    for i, h in enumerate(header):
        key = h.strip().lower().replace(" ", "")
        for field, words in HEADERS.items():
            if key in words:
                if field in names.values():
                    # Two columns for one field: one of them would be dropped unsaid.
                    first = header[next(j for j, f in names.items() if f == field)]
                    return None, (
                        f"header: {field} given twice, in columns {first!r} and {h!r} "
                        "(rule: one column per field)"
                    )
                names[i] = field
    missing = [
        f for f in ("monitor", "time", "parameter", "value", "unit") if f not in names.values()
    ]
    if missing:
        return None, f"header: missing column(s) {', '.join(missing)} (see docs/supervision.md)"
    return [{names[i]: c for i, c in enumerate(row) if i in names} for row in reader if row], None


@never_raises
def parse_zone_monitors(
    raw: bytes, *, now: dt.datetime | None = None, stations: NameIndex | None = None
) -> Parsed:
    """Parse the form; with ``stations`` each monitor is resolved to its registry code (by code,
    name or alias) and rows naming no registry station are rejected."""
    try:
        rows, why = _rows(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        return payload_rejected(raw, f"payload: not a CSV or JSON form ({exc})")
    if rows is None:
        return payload_rejected(raw, why or "payload: unreadable")
    if not rows:
        return Parsed()
    f = pd.DataFrame(rows, columns=list(HEADERS)).astype(object)
    f = f.where(f.notna(), "")
    for col in HEADERS:
        f[col] = f[col].map(lambda v: str(v).strip())
    f["i"] = np.arange(2, len(f) + 2)  # CSV line (header = 1); the JSON object number + 1
    f["row"] = [
        json.dumps(r, ensure_ascii=False, sort_keys=True)[:300]
        for r in f[list(HEADERS)].to_dict("records")
    ]
    rejected: list[Rejected] = []

    def reject(mask: pd.Series, reason: str | pd.Series, field: str) -> None:
        nonlocal f
        m = mask.fillna(False).astype(bool)
        if not m.any():
            return
        sub = f[m]
        reasons = reason[m] if isinstance(reason, pd.Series) else pd.Series(reason, index=sub.index)
        rejected.extend(
            Rejected(row=str(row), reason=str(r), field=field, line=int(line))
            for row, r, line in zip(sub["row"], reasons, sub["i"], strict=True)
        )
        f = f[~m]

    if stations is not None:
        resolved = f["monitor"].map(lambda m: stations.resolve(m, "station")[0])
        f["station"] = resolved
        reject(
            resolved.isna(),
            "monitor: '"
            + f["monitor"]
            + "' is no registry station (import it with its zone first)",
            "monitor",
        )
    else:
        f["station"] = f["monitor"]
        reject(f["station"] == "", "monitor: missing", "monitor")
    f["code"] = f["parameter"].map(lambda p: PARAMETER_WORDS.get(p.lower(), PARAMETER_WORDS.get(p)))
    reject(
        f["code"].isna(),
        "parameter: '" + f["parameter"] + "' is not a known parameter (see docs/supervision.md)",
        "parameter",
    )
    factor = pd.Series(
        [_factor(str(c), str(u)) for c, u in zip(f["code"], f["unit"], strict=True)],
        index=f.index,
        dtype="float64",
    )
    reject(
        factor.isna(),
        "unit: cannot convert '"
        + f["unit"]
        + "' for "
        + f["code"].astype(str)
        + " (µg/m³, mg/m³; ppb/ppm only for single compounds, never for NMHC or TVOC)",
        "unit",
    )
    flag = f["flag"].str.upper().replace("", "N")
    reject(
        ~flag.isin(KNOWN_FLAGS),
        "flag: '" + f["flag"] + "' is no HJ 212 data flag (N, T, F, M, D, C, B)",
        "flag",
    )
    times, naive = parse_aware_times(f["time"].astype("string"))
    f["t"] = times
    reject(naive, "time: timestamp without a zone (rule: times must carry an offset)", "time")
    value = pd.to_numeric(f["value"], errors="coerce").astype("float64") * factor[f.index]
    flag = flag[f.index]
    candidates = pd.DataFrame(
        {
            "station": f["station"].astype(object),
            "time": f["t"],
            "pollutant": f["code"].astype(object),
            "value": value.round(6),
            "flag": np.where(flag == "N", "", FLAG_PREFIX + flag),
            "line": f["i"],
            "row": f["row"],
        }
    )
    readings, bad = check_readings(candidates, now=now)
    return Parsed(readings=readings, rejected=rejected + bad)


def is_invalid_flag(flags: pd.Series) -> pd.Series:
    """Which stored flags mark a value that is no measurement of the air (HJ 212 F/M/D/C/B)."""
    # A month of a harbour's readings holds a handful of distinct flags: each is read once.
    codes, distinct = pd.factorize(flags, use_na_sentinel=False)
    text = pd.Series(distinct, dtype=object).fillna("").astype(str)
    invalid = np.isin(
        text.str.extract(rf"{FLAG_PREFIX}(\w)", expand=False).fillna(""), list(INVALID_FLAGS)
    )
    return pd.Series(invalid[codes], index=flags.index, dtype=bool)


class ZoneMonitorFiles:
    """The form as a collector: files are imported (``envmon import-monitors``), never fetched."""

    name: ClassVar[str] = "zone_monitors"

    def parse(self, raw: bytes) -> Parsed:
        return parse_zone_monitors(raw)

    def parse_with(self, raw: bytes, ctx: ParseContext) -> Parsed:
        """Parse with the registry's names (rows of unknown monitors are rejected)."""
        index = ctx.stations if isinstance(ctx.stations, NameIndex) else None
        return parse_zone_monitors(raw, now=ctx.fetched_at, stations=index)

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        """Files only: nothing to fetch."""
        return []


__all__ = [
    "FORMAT",
    "INVALID_FLAGS",
    "ZoneMonitorFiles",
    "is_invalid_flag",
    "parse_zone_monitors",
]
