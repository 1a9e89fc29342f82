"""Row checks shared by every collector's ``parse``: vectorised, pure, never raising.

A collector builds a *candidate* frame — the canonical columns plus two provenance columns, ``line``
(1-based line or record number in the payload, or -1) and ``row`` (a short text of the source row) —
and hands it to :func:`check_readings` or :func:`check_samples`. What passes comes back in the canonical
columns; what fails comes back as ``Rejected(row, reason, field, line)``, one per candidate row, with the
rule in the reason. Nothing is dropped silently: a row is either accepted or rejected.

An *empty* source cell (the archive's blank cell, CNEMC's ``—``, ``--``) is not a reading at all and
never reaches these checks; a cell that is present but not a number is rejected here (``value`` NaN).

Rules for air readings, in order (a row is rejected by the first rule it breaks):

``time``
    missing/unparseable, or in the future relative to ``now`` (when ``now`` is given).
``value``
    not a number; negative; CO (and CO_24h) above 50 mg/m³ — almost surely sent in µg/m³ (the national
    1-h CO breakpoints stop at 150 mg/m³, but hourly CO above 50 mg/m³ has not been seen at any Chinese
    station; 100–10,000 is the µg/m³ range, see SOURCES §1 on the UCI files); above the physical ceiling
    in :data:`AIR_CEILINGS`.
``time`` (duplicate)
    a second value for the same station, hour and pollutant: the first is kept, the others rejected.

PM2.5 above PM10 at the same station and hour is *kept* and flagged ``pm25>pm10`` on both rows.

Flags are short tokens joined with ``;`` (empty string: no flag).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Final, ParamSpec

import numpy as np
import pandas as pd

from stations.cst import CST_OFFSET
from stations.model import (
    READING_COLUMNS,
    SAMPLE_COLUMNS,
    Parsed,
    Rejected,
    empty_readings,
    empty_samples,
)
from stations.parameters import PARAMETERS

P = ParamSpec("P")

#: Physical ceilings for hourly values (units as in ``stations.model``). Far above the HJ 633-2012
#: top breakpoints' *real-world* range yet below anything a working analyser reports; a value above
#: is a unit or transmission error. PM10 allows dust storms (Beijing 2021-03-15: ~ 7,000 µg/m³ 1-h),
#: PM2.5 the worst winter haze (~ 1,000 µg/m³), AQI is capped at 500 by HJ 633-2012 §5.
AIR_CEILINGS: Final[dict[str, float]] = {
    "SO2": 5_000.0,
    "NO2": 2_000.0,
    "PM10": 10_000.0,
    "PM25": 3_000.0,
    "CO": 50.0,  # mg/m³; also the unit rule below
    "O3": 1_500.0,
    "AQI": 500.0,
    # The non-AQI parameters (NO, NOx, NMHC, TVOC, aromatics), each in its stored unit; PAMS species
    # share the "PAMS" prefix as their base code.
    **{code: p.ceiling for code, p in PARAMETERS.items() if not code.startswith("PAMS_")},
    "PAMS": 100_000.0,
}

#: CO above this many mg/m³ is taken to be µg/m³ sent under a mg/m³ label.
CO_UNIT_LIMIT_MG: Final = 50.0

#: Ceilings for water items (mg/L unless noted). pH is 0..14 (checked separately).
WATER_CEILINGS: Final[dict[str, float]] = {
    "DO": 25.0,  # supersaturation rarely above 20 mg/L
    "CODMn": 200.0,
    "COD": 2_000.0,
    "BOD5": 1_000.0,
    "NH3N": 200.0,
    "TP": 50.0,
    "TN": 300.0,
    "water_temp": 45.0,  # °C
    "conductivity": 100_000.0,  # µS/cm; sea water ~ 50,000
    "turbidity": 10_000.0,  # NTU
    "fecal_coliform": 1e9,  # per L
    "coliform": 1e10,  # per L
    "DIN": 100.0,  # seawater DIN is rarely above 5 mg/L
    "NO3_N": 100.0,
    "NO2_N": 20.0,
    "PO4_P": 20.0,
    "salinity": 45.0,  # PSU; open sea ~ 35
}

FLAG_PM25_GT_PM10: Final = "pm25>pm10"

_PROVENANCE = ("line", "row")


def _base(pollutant: pd.Series) -> pd.Series:
    """The 1-h pollutant a code belongs to: ``PM25_24h`` -> ``PM25``, ``O3_8h_24h`` -> ``O3``."""
    uniq = pd.unique(pollutant.dropna())
    return pollutant.map({u: str(u).split("_", 1)[0] for u in uniq})


def _to_rejected(frame: pd.DataFrame, reasons: pd.Series, fields: pd.Series) -> list[Rejected]:
    """One ``Rejected`` per row of ``frame`` (only ever called on the few rejected rows).

    The row text is the candidate's ``row`` when given, else it is rebuilt from the row's key and
    its ``raw`` cell text (or value).
    """
    n = len(frame)
    lines = frame["line"].to_numpy() if "line" in frame else np.full(n, -1)
    if "row" in frame:
        rows = frame["row"].astype(str).to_numpy()
    else:
        key = "section" if "section" in frame else "station"
        what = "item" if "item" in frame else "pollutant"
        raw = frame["raw"] if "raw" in frame else frame["value"]
        rows = np.array(
            [
                f"{key}={k} time={t} {what}={w} value={v}"
                for k, t, w, v in zip(frame[key], frame["time"], frame[what], raw, strict=True)
            ],
            dtype=object,
        )
    out: list[Rejected] = []
    for row, reason, field, line in zip(
        rows, reasons.to_numpy(), fields.to_numpy(), lines, strict=True
    ):
        ln = int(line) if line is not None and not pd.isna(line) and int(line) >= 0 else None
        out.append(Rejected(row=str(row), reason=str(reason), field=str(field), line=ln))
    return out


def _ensure_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    if "line" not in frame:
        frame = frame.assign(line=-1)
    return frame


def _reason_with_values(
    frame: pd.DataFrame, mask: pd.Series, template: str, columns: tuple[str, ...]
) -> pd.Series:
    """Per-row reason text for rows where ``mask`` holds (formatted only on those rows)."""
    out = pd.Series(pd.NA, index=frame.index, dtype="object")
    m = mask.fillna(False).astype(bool)
    if m.any():
        sub = frame.loc[m, list(columns)]
        out[m] = [template.format(*vals) for vals in sub.itertuples(index=False, name=None)]
    return out


#: A rule: (rows that break it, field, reason).
_Rule = tuple[pd.Series, str, str]


def _time_rules(frame: pd.DataFrame, now: dt.datetime | None) -> list[_Rule]:
    """The ``time`` rules of readings and samples: missing, then (when ``now`` is given) future."""
    rules: list[_Rule] = [(frame["time"].isna(), "time", "time: missing or unparseable time")]
    if now is not None:
        now_utc = pd.Timestamp(now).tz_convert("UTC")
        rules.append(
            (
                frame["time"] > now_utc,
                "time",
                f"time: in the future (after now={now_utc.isoformat()})",
            )
        )
    return rules


def _reject_duplicates(
    accepted: pd.DataFrame, place: str, code: str, template: str
) -> tuple[pd.DataFrame, list[Rejected]]:
    """Keep the first row of each (``place``, time, ``code``) and reject the others, with the reason
    ``template.format(place value, ISO time, code value)``."""
    dup = accepted.duplicated(subset=[place, "time", code], keep="first")
    if not dup.any():
        return accepted, []
    d = accepted[dup]
    reasons = pd.Series(
        [
            template.format(p, t.isoformat(), c)
            for p, t, c in zip(d[place], d["time"], d[code], strict=True)
        ],
        index=d.index,
        dtype="object",
    )
    return accepted[~dup], _to_rejected(d, reasons, pd.Series("time", index=d.index))


def check_readings(
    candidates: pd.DataFrame, *, now: dt.datetime | None = None
) -> tuple[pd.DataFrame, list[Rejected]]:
    """Validate candidate air readings; return (accepted readings, rejections).

    ``candidates`` has ``READING_COLUMNS`` (``time`` aware UTC or NaT, ``value`` float or NaN) and
    optionally ``line``/``row``. ``now`` (aware) enables the future-time rule.
    """
    if candidates.empty:
        return empty_readings(), []
    frame = _ensure_provenance(candidates.reset_index(drop=True))
    frame["flag"] = frame["flag"].fillna("").astype(str)
    value = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["value"] = value
    base = _base(frame["pollutant"])
    ceiling = base.map(AIR_CEILINGS).astype("float64")
    is_co = base == "CO"

    rules = _time_rules(frame, now) + [
        (value.isna(), "value", "value: not a number"),
        (value < 0, "value", "value: negative concentration (rule: value >= 0)"),
    ]
    co_bad = is_co & (value > CO_UNIT_LIMIT_MG)
    co_reason = _reason_with_values(
        frame,
        co_bad,
        f"value: {{}} = {{}} above {CO_UNIT_LIMIT_MG:g} mg/m³, likely sent in µg/m³ "
        f"(rule: CO in mg/m³ <= {CO_UNIT_LIMIT_MG:g})",
        ("pollutant", "value"),
    )
    ceil_bad = ~is_co & (value > ceiling)
    ceil_reason = _reason_with_values(
        frame.assign(_c=ceiling),
        ceil_bad,
        "value: {} = {} above the physical ceiling {} (rule: impossible value)",
        ("pollutant", "value", "_c"),
    )
    accepted, rejected = _apply_rules_with_row_reasons(
        frame, rules, [(co_bad, "value", co_reason), (ceil_bad, "value", ceil_reason)]
    )

    accepted, duplicates = _reject_duplicates(
        accepted,
        "station",
        "pollutant",
        "time: duplicated hour {1} for station {0} pollutant {2} "
        "(rule: one value per station, hour and pollutant; first kept)",
    )
    rejected += duplicates

    accepted = _flag_pm25_above_pm10(accepted)
    out = accepted.loc[:, list(READING_COLUMNS)].reset_index(drop=True)
    out["time"] = out["time"].astype("datetime64[ns, UTC]")
    out["value"] = out["value"].astype("float64")
    out["station"] = out["station"].astype(object)
    out["pollutant"] = out["pollutant"].astype(object)
    out["flag"] = out["flag"].astype(object)
    return out, rejected


def _apply_rules_with_row_reasons(
    frame: pd.DataFrame,
    rules: list[_Rule],
    row_rules: list[tuple[pd.Series, str, pd.Series]],
) -> tuple[pd.DataFrame, list[Rejected]]:
    """Split ``frame`` into (rows that break no rule, their rejections); each row is rejected by the
    first rule it breaks: ``rules`` (one reason each) in order, then ``row_rules`` (a reason per row)."""
    reason = pd.Series(pd.NA, index=frame.index, dtype="object")
    field = pd.Series(pd.NA, index=frame.index, dtype="object")
    for mask, fld, text in rules:
        hit = mask.fillna(False).astype(bool) & reason.isna()
        if hit.any():
            reason[hit] = text
            field[hit] = fld
    for mask, fld, texts in row_rules:
        hit = mask.fillna(False).astype(bool) & reason.isna()
        if hit.any():
            reason[hit] = texts[hit]
            field[hit] = fld
    bad = reason.notna()
    rejected = _to_rejected(frame[bad], reason[bad], field[bad]) if bad.any() else []
    return frame[~bad], rejected


def _flag_pm25_above_pm10(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the ``pm25>pm10`` flag to both the PM25 and PM10 rows of a station-hour where PM2.5 > PM10."""
    is_pm = frame["pollutant"].isin(("PM25", "PM10"))
    if not is_pm.any():
        return frame
    pm = frame.loc[is_pm, ["station", "time", "pollutant", "value"]]
    wide = pm.pivot_table(
        index=["station", "time"], columns="pollutant", values="value", aggfunc="first"
    )
    if "PM25" not in wide or "PM10" not in wide:
        return frame
    bad = wide.index[(wide["PM25"] > wide["PM10"]).to_numpy()]
    if len(bad) == 0:
        return frame
    key = pd.MultiIndex.from_frame(frame[["station", "time"]])
    hit = is_pm.to_numpy() & key.isin(bad)
    frame = frame.copy()
    old = frame.loc[hit, "flag"].astype(str)
    frame.loc[hit, "flag"] = np.where(
        old == "", FLAG_PM25_GT_PM10, old + ";" + FLAG_PM25_GT_PM10
    ).astype(object)
    return frame


def check_samples(
    candidates: pd.DataFrame, *, now: dt.datetime | None = None
) -> tuple[pd.DataFrame, list[Rejected]]:
    """Validate candidate water samples; return (accepted samples, rejections).

    Rules: time missing or in the future; value not a number (unless a non-detect); negative; pH
    outside 0..14; above :data:`WATER_CEILINGS`; duplicate (section, time, item): first kept.
    """
    if candidates.empty:
        return empty_samples(), []
    frame = _ensure_provenance(candidates.reset_index(drop=True))
    value = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["value"] = value
    below = frame["below_limit"].fillna(False).astype(bool)
    frame["below_limit"] = below
    ceiling = frame["item"].map(WATER_CEILINGS).astype("float64")
    rules = _time_rules(frame, now) + [
        (value.isna() & ~below, "value", "value: not a number"),
        (value < 0, "value", "value: negative (rule: value >= 0)"),
        (
            (frame["item"] == "pH") & ((value < 0) | (value > 14)),
            "value",
            "value: pH outside 0..14 (rule: impossible value)",
        ),
    ]
    ceil_bad = value > ceiling
    ceil_reason = _reason_with_values(
        frame.assign(_c=ceiling),
        ceil_bad,
        "value: {} = {} above the ceiling {} (rule: impossible value)",
        ("item", "value", "_c"),
    )
    accepted, rejected = _apply_rules_with_row_reasons(
        frame, rules, [(ceil_bad, "value", ceil_reason)]
    )
    accepted, duplicates = _reject_duplicates(
        accepted,
        "section",
        "item",
        "time: duplicated sample {1} for section {0} item {2} "
        "(rule: one value per section, time and item; first kept)",
    )
    rejected += duplicates
    out = accepted.loc[:, list(SAMPLE_COLUMNS)].reset_index(drop=True)
    out["time"] = out["time"].astype("datetime64[ns, UTC]")
    for col in ("value", "detection_limit"):
        out[col] = out[col].astype("float64")
    out["below_limit"] = out["below_limit"].astype(bool)
    for col in ("section", "item", "method"):
        out[col] = out[col].astype(object)
    return out, rejected


# ---------------------------------------------------------------------------------------------
# Time helpers
# ---------------------------------------------------------------------------------------------


#: An explicit offset after a clock time (``...12:00Z``, ``...12:00:00+08:00``); a bare date such as
#: ``2024-03-05`` must not read as an offset of -05.
_ZONE_RE: Final = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


def cst_to_utc(local: pd.Series) -> pd.Series:
    """Naive China-Standard-Time timestamps -> aware UTC (NaT stays NaT)."""
    naive = pd.to_datetime(local, errors="coerce")
    # Keep to years pandas can shift by 8 h without overflowing; anything else is not a real time.
    naive = naive.where((naive > pd.Timestamp("1900-01-01")) & (naive < pd.Timestamp("2200-01-01")))
    return (naive - CST_OFFSET).dt.tz_localize("UTC")


def payload_rejected(raw: object, reason: str, *, row: str | None = None) -> Parsed:
    """A parse result that rejects the whole payload: ``reason`` (``"payload: ..."``) against its
    first 80 bytes or characters (field ``payload``, the collectors' mark of a malformed payload).

    ``row`` replaces that excerpt when the collector has a more telling one (decoded text, JSON)."""
    if row is None:
        row = repr(raw[:80]) if isinstance(raw, bytes | str) else ""
    return Parsed(rejected=[Rejected(row=row, reason=reason, field="payload")])


def never_raises(parse: Callable[P, Parsed]) -> Callable[P, Parsed]:
    """Last-resort guard for a public ``parse``: an unexpected exception becomes one ``Rejected``
    (field ``payload``) naming it, so bad input can never crash the caller. The rules above are meant
    to catch every known case first; a rejection reading "parser error" is a bug to report."""

    @functools.wraps(parse)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Parsed:
        try:
            return parse(*args, **kwargs)
        except MemoryError:  # not bad input: the machine ran out; a caller must never count it
            raise
        except Exception as exc:
            raw = args[0] if args else b""
            return payload_rejected(raw, f"payload: parser error {type(exc).__name__}: {exc}")

    return wrapper


def parse_local_times(text: pd.Series) -> pd.Series:
    """Time strings in China Standard Time (with or without an explicit offset) -> aware UTC.

    A string that carries its own offset is honoured; a naive one is taken as CST (UTC+8). Unparseable
    strings become NaT.
    """
    s = text.astype("string").str.strip()
    has_zone = s.str.contains(_ZONE_RE, regex=True, na=False)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if has_zone.any():
        out[has_zone] = pd.to_datetime(s[has_zone], utc=True, errors="coerce", format="mixed")
    naive = ~has_zone & s.notna()
    if naive.any():
        out[naive] = cst_to_utc(pd.to_datetime(s[naive], errors="coerce", format="mixed"))
    return out


def parse_aware_times(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Time strings that must carry a zone -> (aware UTC, mask of strings that had no zone).

    Strings without an offset are NOT guessed: they come back NaT with ``True`` in the mask, so the
    caller can reject them with "time without a zone".
    """
    s = text.astype("string").str.strip()
    has_zone = s.str.contains(_ZONE_RE, regex=True, na=False)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if has_zone.any():
        out[has_zone] = pd.to_datetime(s[has_zone], utc=True, errors="coerce", format="mixed")
    return out, (~has_zone & s.notna() & (s != ""))
