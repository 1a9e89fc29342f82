"""Automatic water-quality stations (水质自动站), 4-hourly: water temperature, pH, DO, conductivity,
turbidity, CODMn, NH3-N, TP, TN (plus chlorophyll-a and algal density where published).

Two documented forms, told apart by the first non-blank byte:

**JSON** (``{``) — the envmon exchange format ``envmon.water_auto/1``::

    {"format": "envmon.water_auto/1",
     "records": [
       {"section": "ZS-W01",                      # code, or a name mapped through `sections`
        "time": "2024-03-05T04:00:00+08:00",      # ISO 8601 WITH an offset (no offset -> rejected)
        "values": {"water_temp": 12.1, "pH": 7.9, "DO": 8.2, "conductivity": 30100,
                   "turbidity": 12.3, "CODMn": 2.1, "NH3N": 0.12, "TP": 0.05, "TN": 1.1}}]}

  ``values`` keys are the item keys (or any alias known to ``_water.ITEMS``, e.g. "氨氮"), in the
  item's default unit (mg/L; pH dimensionless; °C; µS/cm; NTU; cells/L). Values may be numbers or
  strings with the lab notations (``"ND"``, ``"<0.01"``). ``null`` = not measured.

**CSV** — the layout of the national surface-water automatic monitoring release
(国家地表水水质自动监测实时数据发布系统), as re-published by scrapers::

    省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),溶解氧(mg/L),电导率(μS/cm),浊度(NTU),
    高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L),总氮(mg/L),叶绿素α(mg/L),藻密度(cells/L)

  or any table with a section column, a time column and item columns (same header rules as lab
  files). ``监测时间`` is ``MM-DD HH:MM`` Beijing time **without a year**. The year comes, in this
  order, from the collector's ``year`` argument, from a ``YYYYMMDD[_HHMMSS]`` date in the file name
  or URL (the scrapers name their files ``water_quality_20260225_094940_part1.csv``), or from the
  time the payload was fetched; a row more than a day after that reference belongs to the year
  before (a file fetched on 1 January still holds 31 December's rows). With none of the three, rows
  are rejected ("no year"). ``--`` = not measured.
  The published ``水质类别`` is not a measurement and is not imported (the standards recompute it).

Times are China Standard Time unless an offset is given; output UTC, ``method = "automatic"``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import httpx
import pandas as pd

from stations.collectors._checks import (
    check_samples,
    never_raises,
    parse_aware_times,
    payload_rejected,
)
from stations.collectors._http import get_payload
from stations.collectors._water import match_header, parse_cells
from stations.collectors.base import ParseContext, Payload, UpstreamError, Window
from stations.collectors.lab_files import _decode_rows, table_to_samples
from stations.cst import CST
from stations.model import Parsed, Rejected
from stations.names import resolve_name

FORMAT: Final = "envmon.water_auto/1"
METHOD: Final = "automatic"
#: A date (and optional time) in a file name or URL: 20260225, 20260225_094940, 2026-02-25.
_NAME_DATE: Final = re.compile(
    r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})(?:[_T-]?(\d{2})(\d{2})(\d{2}))?(?!\d)"
)


def reference_time(name: str, fetched_at: dt.datetime | None) -> dt.datetime | None:
    """When the file was published, as aware UTC: the date-time in its name (CST), else the fetch
    time, else None. The year of ``MM-DD`` rows is taken from it."""
    for m in _NAME_DATE.finditer(name or ""):
        y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        try:
            return dt.datetime(y, mo, d, hh, mm, ss, tzinfo=CST).astimezone(dt.UTC)
        except ValueError:
            continue  # 20261399 is not a date; look further
    return fetched_at


def _record_section(
    rec: dict[str, Any], i: int, text: str, sections: Mapping[str, str] | None
) -> tuple[str | None, Rejected | None]:
    """The record's section code (resolved through ``sections`` when given), or why not."""
    sec = rec.get("section")
    if not isinstance(sec, str) or not sec.strip():
        return None, Rejected(row=text, reason="section: missing section", field="section", line=i)
    sec = sec.strip()
    if sections is None:
        return sec, None
    mapped, why = resolve_name(sections, sec)
    if mapped is None:
        return None, Rejected(row=text, reason=f"section: {why}", field="section", line=i)
    return mapped, None


def _record_rows(
    records: list[Any], sections: Mapping[str, str] | None, rejected: list[Rejected]
) -> list[dict[str, Any]]:
    """One row per (record, known item) with a value; bad records and items go to ``rejected``."""
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(records, start=1):
        text = json.dumps(rec, ensure_ascii=False)[:300]
        if not isinstance(rec, dict) or not isinstance(rec.get("values"), dict):
            rejected.append(
                Rejected(
                    row=text, reason="record: not an object with 'values'", field="values", line=i
                )
            )
            continue
        sec, refused = _record_section(rec, i, text, sections)
        if sec is None:
            if refused is not None:
                rejected.append(refused)
            continue
        for key, val in rec["values"].items():
            if val is None:
                continue
            m = match_header(str(key))
            if not isinstance(m, tuple):
                why = m if isinstance(m, str) else f"item: {key!r} is not a known item"
                rejected.append(Rejected(row=text, reason=why, field="item", line=i))
                continue
            rows.append(
                {
                    "section": sec,
                    "time_text": str(rec.get("time", "")),
                    "item": m[0],
                    "raw": str(val),
                    "line": i,
                }
            )
    return rows


def _drop_naive_times(f: pd.DataFrame, rejected: list[Rejected]) -> tuple[pd.DataFrame, pd.Series]:
    """The rows whose time carries an offset, with their times; the others rejected."""
    times, naive = parse_aware_times(f["time_text"])
    if not naive.any():
        return f, times
    for _, r in f[naive].iterrows():
        rejected.append(
            Rejected(
                row=f"section={r['section']} time={r['time_text']} item={r['item']} value={r['raw']}",
                reason="time: timestamp without a zone (rule: times must carry an offset)",
                field="time",
                line=int(r["line"]),
            )
        )
    return f[~naive], times[~naive]


def _parse_json(obj: Any, sections: Mapping[str, str] | None, now: dt.datetime | None) -> Parsed:
    if not isinstance(obj, dict) or not isinstance(obj.get("records"), list):
        return payload_rejected(
            obj,
            f"payload: not {FORMAT} (no 'records' list)",
            row=json.dumps(obj, ensure_ascii=False)[:200],
        )
    rejected: list[Rejected] = []
    rows = _record_rows(obj["records"], sections, rejected)
    if not rows:
        return Parsed(rejected=rejected)
    f, times = _drop_naive_times(pd.DataFrame(rows), rejected)
    value, dl, below, missing, bad = parse_cells(f["raw"], 1.0)
    cand = pd.DataFrame(
        {
            "section": f["section"],
            "time": times,
            "item": f["item"],
            "value": value.where(~bad),
            "detection_limit": dl,
            "below_limit": below,
            "method": METHOD,
            "line": f["line"],
            "raw": f["raw"],
        }
    )[~missing]
    samples, bad_rows = check_samples(cand, now=now)
    return Parsed(samples=samples, rejected=rejected + bad_rows)


@never_raises
def parse_water_auto(
    raw: bytes,
    *,
    sections: Mapping[str, str] | None = None,
    year: int | None = None,
    now: dt.datetime | None = None,
    reference: dt.datetime | None = None,
) -> Parsed:
    """Parse one automatic-station payload (JSON or CSV); never raises on bad data.

    ``reference`` (aware): when the payload was published or fetched, for ``MM-DD`` times when no
    ``year`` is given (see the module docstring).
    """
    if raw.lstrip()[:1] == b"{":
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return payload_rejected(raw, f"payload: broken JSON ({exc})")
        return _parse_json(obj, sections, now)
    try:
        rows = _decode_rows(raw)
    except ValueError as exc:
        return payload_rejected(raw, f"payload: {exc}")
    parsed = table_to_samples(
        rows, method=METHOD, sections=sections, now=now, year=year, reference=reference
    )
    if year is None and reference is None and parsed.rejected:
        parsed.rejected = [
            Rejected(r.row, r.reason + " (MM-DD times need the collector's year)", r.field, r.line)
            if r.reason.startswith("time: missing or unparseable")
            else r
            for r in parsed.rejected
        ]
    return parsed


class WaterAutoCollector:
    """Polls one URL serving the JSON or CSV form above (4-hourly)."""

    name: ClassVar[str] = "water_auto"

    def __init__(
        self,
        url: str | None = None,
        *,
        sections: Mapping[str, str] | None = None,
        year: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.url = url
        self.sections = dict(sections) if sections is not None else None
        self.year = year
        self.headers = dict(headers or {})

    def parse(self, raw: bytes, now: dt.datetime | None = None) -> Parsed:
        return parse_water_auto(raw, sections=self.sections, year=self.year, now=now)

    def parse_with(self, raw: bytes, ctx: ParseContext) -> Parsed:
        """Parse with the registry's section names and the year from the file name or fetch time."""
        sections = ctx.sections if ctx.sections is not None else self.sections
        return parse_water_auto(
            raw,
            sections=sections,
            year=self.year,
            now=ctx.fetched_at,
            reference=reference_time(ctx.name, ctx.fetched_at),
        )

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        if not self.url:
            raise UpstreamError("water_auto: no url configured")
        payload, _ = get_payload(
            client,
            self.name,
            self.url,
            headers=self.headers,
            params={"from": window.start.isoformat(), "to": window.end.isoformat()},
        )
        return [payload]
