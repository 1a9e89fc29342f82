"""The national real-time station release (CNEMC ``GetAQIDataPublishLives``): one record per station-hour.

Forms accepted by :func:`parse_release` (detected from the bytes, not from a content type):

* **WCF binary XML** (``application/msbin1``, [MC-NBFX] records with the static [MC-NBFS]
  dictionary) — the wire form. Decoded with the PyPI package ``pynettcp`` (``pynettcp.nbfx.
  BinaryXmlReader``; MIT, pure Python, released 2026-09). The older ``wcf`` package (python-wcfbin,
  0.5.5, last release 2020-03) also decodes it but is unmaintained, so it is not used. Checked on the
  real 1.1 MB capture in ``../shared/validation/cnemc_air_realtime`` (1,497 records, TimePoint
  2016-01-14 00:00:00, decoded in ~0.3 s).
* **Decoded XML** (python-wcfbin output): ``b:AQIDataPublishLive`` elements; it contains the HTML entity
  ``&mdash;`` (missing value), which is not XML and is replaced before parsing.
* **GeoJSON** FeatureCollection re-publication (lower-case keys, all values strings, missing ``"-;"``).
* **JSON**: a list of records, or an object with the list under ``data``/``results``/``RootResults``.
* **CSV** flattened re-publication (HeQinWill/CNEMC: ``timepoint,stationcode,...,co,co_24h``).

Field mapping (keys compared case-insensitively; units µg/m³, CO mg/m³)::

    PM2_5 -> PM25     PM2_5_24h -> PM25_24h   PM10 -> PM10   PM10_24h -> PM10_24h
    SO2 -> SO2        SO2_24h -> SO2_24h      NO2 -> NO2     NO2_24h -> NO2_24h
    CO -> CO          CO_24h -> CO_24h        AQI -> AQI
    O3_24h    -> O3          (SWAPPED upstream: this field holds the latest 1-h O3)
    O3        -> O3_24h      (max 1-h O3 of the last 24 h)
    O3_8h_24h -> O3_8h       (SWAPPED upstream: the current 8-h moving mean)
    O3_8h     -> O3_8h_24h   (the day's max 8-h mean)

The swap is documented in the field notes (SOURCES §5): with ``O3_24h`` as the 1-h O3, the published
real-time AQI is reproduced for 1,462 of 1,462 stations, against 853 with ``O3``; our test
``test_o3_swap_reproduces_published_aqi`` re-checks it on the O3-led stations.

``TimePoint`` is local Beijing time without an offset and labels the hour by its END; it is converted
to UTC (CST = UTC+8). Missing markers (``—``, ``&mdash;``, ``-;``, ``--``, ``-``, empty) mean "no
reading" and produce nothing; a record without a station code is rejected.
``line`` in a rejection is the CSV line, or the record's ordinal (1-based) in the other forms.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import pandas as pd
from pynettcp.nbfx import BinaryXmlReader

from stations.collectors._checks import (
    check_readings,
    never_raises,
    parse_local_times,
    payload_rejected,
)
from stations.collectors._http import get_payload
from stations.collectors.base import ParseContext, Payload, UpstreamError, Window
from stations.model import Parsed, Rejected
from stations.names import NameIndex

#: Upstream field (lower case) -> our pollutant code, with the O3 swap applied.
FIELD_TO_CODE: Final[dict[str, str]] = {
    "pm2_5": "PM25",
    "pm2_5_24h": "PM25_24h",
    "pm10": "PM10",
    "pm10_24h": "PM10_24h",
    "so2": "SO2",
    "so2_24h": "SO2_24h",
    "no2": "NO2",
    "no2_24h": "NO2_24h",
    "co": "CO",
    "co_24h": "CO_24h",
    "aqi": "AQI",
    "o3_24h": "O3",
    "o3": "O3_24h",
    "o3_8h_24h": "O3_8h",
    "o3_8h": "O3_8h_24h",
}

MISSING: Final = frozenset({"", "—", "&mdash;", "-;", "--", "-", "na", "null", "none", "nan"})
_RECORD: Final = "AQIDataPublishLive"
_HTML_ENTITIES: Final = {"&mdash;": "—", "&nbsp;": " ", "&ndash;": "–"}

#: Default endpoint path of the wire service (host configured by the caller).
ENDPOINT_PATH: Final = (
    "/emcpublish/ClientBin/Env-CnemcPublish-RiaServices-EnvCnemcPublishDomainService.svc/"
    "binary/GetAQIDataPublishLives"
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def records_from_nbfx(raw: bytes) -> list[dict[str, str]]:
    """Decode a WCF binary-XML (msbin1) payload into one dict per ``AQIDataPublishLive``.

    Raises ``ValueError`` on a payload that is not valid NBFX (callers turn it into a rejection).
    """
    try:
        events = BinaryXmlReader(raw).read()
    except Exception as exc:  # the reader raises its own error types (and IndexError on garbage)
        raise ValueError(f"not WCF binary XML: {exc}") from exc
    records: list[dict[str, str]] = []
    stack: list[str] = []
    current: dict[str, str] | None = None
    field: str | None = None
    record_depth = -1
    for ev in events:
        kind = ev[0]
        if kind == "start":
            name = str(ev[2])
            stack.append(name)
            if name == _RECORD:
                current, record_depth = {}, len(stack)
            elif current is not None and len(stack) == record_depth + 1:
                field = name
                current.setdefault(field, "")
        elif kind == "text" and current is not None and field is not None:
            if len(stack) == record_depth + 1:
                value = ev[1]
                current[field] += (
                    "true" if value is True else "false" if value is False else str(value)
                )
        elif kind == "end":
            if not stack:
                raise ValueError("not WCF binary XML: unbalanced end element")
            if current is not None and len(stack) == record_depth:
                records.append(current)
                current, field = None, None
            elif current is not None and len(stack) == record_depth + 1:
                field = None
            stack.pop()
    return records


def records_from_xml(text: str) -> list[dict[str, str]]:
    """Decoded XML -> one dict per record. Raises ``ET.ParseError`` on broken XML."""
    for ent, ch in _HTML_ENTITIES.items():
        text = text.replace(ent, ch)
    root = ET.fromstring(text)
    out: list[dict[str, str]] = []
    for el in root.iter():
        if _local(el.tag) == _RECORD:
            out.append({_local(child.tag): (child.text or "") for child in el})
    return out


def records_from_json(obj: Any) -> list[dict[str, str]] | None:
    """GeoJSON FeatureCollection, a list of records, or a wrapper object; None if not recognised."""
    if isinstance(obj, dict):
        if obj.get("type") == "FeatureCollection" and isinstance(obj.get("features"), list):
            recs = []
            for f in obj["features"]:
                props = f.get("properties") if isinstance(f, dict) else None
                recs.append(props if isinstance(props, dict) else {})
            return [{str(k): "" if v is None else str(v) for k, v in r.items()} for r in recs]
        for key in ("data", "results", "RootResults", "rows"):
            if isinstance(obj.get(key), list):
                return records_from_json(obj[key])
        return None
    if isinstance(obj, list):
        return [
            {str(k): "" if v is None else str(v) for k, v in r.items()}
            if isinstance(r, dict)
            else {}
            for r in obj
        ]
    return None


def _records_from_csv(text: str) -> list[dict[str, str]] | None:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not any(
        f and f.strip().lower() == "stationcode" for f in reader.fieldnames
    ):
        return None
    return [{str(k): "" if v is None else str(v) for k, v in row.items()} for row in reader]


def _decode_records(raw: bytes) -> tuple[list[dict[str, str]], str]:
    """(records, form) — raises ``ValueError`` with a reason when nothing is recognisable."""
    head = raw.lstrip()[:1]
    if raw[:1] == b"@" or (raw[:1] and raw[0] < 0x09):
        return records_from_nbfx(raw), "nbfx"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ValueError("not WCF binary XML, and not UTF-8/GB18030 text") from None
    if head == b"<" or text.lstrip().startswith("<"):
        try:
            return records_from_xml(text), "xml"
        except ET.ParseError as exc:
            raise ValueError(f"broken XML: {exc}") from exc
    if head in (b"{", b"["):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"broken JSON: {exc}") from exc
        recs = records_from_json(obj)
        if recs is None:
            raise ValueError("JSON without station records (no features/data list)")
        return recs, "json"
    try:
        recs_csv = _records_from_csv(text)
    except csv.Error as exc:
        raise ValueError(f"broken CSV: {exc}") from exc
    if recs_csv is None:
        raise ValueError(
            "unrecognised form: not NBFX, XML, JSON or a CSV with a 'stationcode' column"
        )
    return recs_csv, "csv"


def _with_station_codes(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Rejected]]:
    """The records that name a station (its code, stripped, in ``_station``), and one rejection
    per record that does not; missing ``stationcode``/``timepoint`` columns read as empty."""
    for column in ("stationcode", "timepoint"):
        if column not in frame:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    code = frame["stationcode"].str.strip()
    no_code = code.isna() | (code == "")
    rejected = [
        Rejected(
            row=_row_text(rec),
            reason="stationcode: missing station code",
            field="stationcode",
            line=int(rec["_line"]),
        )
        for _, rec in frame[no_code].iterrows()
    ]
    return frame[~no_code].assign(_station=code[~no_code]), rejected


@never_raises
def parse_release(raw: bytes, *, now: dt.datetime | None = None) -> Parsed:
    """Parse one release payload in any supported form; never raises on bad data."""
    try:
        records, form = _decode_records(raw)
    except (ValueError, RecursionError) as exc:
        return payload_rejected(raw, f"payload: {exc}")
    if not records:
        return Parsed()
    frame = pd.DataFrame.from_records(records).astype("string")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    ordinal = pd.RangeIndex(1, len(frame) + 1)
    # CSV: header is line 1, first record line 2.
    frame["_line"] = (ordinal + 1) if form == "csv" else ordinal
    frame, rejected = _with_station_codes(frame)
    frame = frame.assign(_time=parse_local_times(frame["timepoint"]))
    fields = [f for f in FIELD_TO_CODE if f in frame.columns]
    if not fields:
        return Parsed(rejected=rejected)
    long = frame.melt(
        id_vars=["_station", "_time", "_line", "timepoint"],
        value_vars=fields,
        var_name="field",
        value_name="raw",
    )
    text = long["raw"].str.strip()
    present = text.notna() & ~text.str.lower().isin(MISSING)
    long = long[present]
    candidates = pd.DataFrame(
        {
            "station": long["_station"].astype(object),
            "time": long["_time"],
            "pollutant": long["field"].map(FIELD_TO_CODE),
            "value": pd.to_numeric(long["raw"].str.strip(), errors="coerce").astype("float64"),
            "flag": "",
            "line": long["_line"].astype(int),
            "row": (
                "stationcode="
                + long["_station"].astype(str)
                + " timepoint="
                + long["timepoint"].fillna("").astype(str)
                + " "
                + long["field"].astype(str)
                + "="
                + long["raw"].astype(str)
            ),
        }
    )
    readings, bad = check_readings(candidates, now=now)
    return Parsed(readings=readings, rejected=rejected + bad)


def _row_text(rec: pd.Series) -> str:
    keys = ("stationcode", "positionname", "timepoint", "aqi")
    return " ".join(f"{k}={rec.get(k, '')}" for k in keys if k in rec.index)[:300]


def _keep(parsed: Parsed, stations: frozenset[str] | None) -> Parsed:
    """Only the readings of ``stations`` (all when None); other stations' rows are not errors."""
    if stations is not None and not parsed.readings.empty:
        keep = parsed.readings["station"].isin(stations)
        parsed.readings = parsed.readings[keep].reset_index(drop=True)
    return parsed


_CODE_LIKE: Final = re.compile(r"^\d{4}[A-Z]$")


class CnemcRealtimeCollector:
    """The hourly national release over HTTP (``url``: the full service URL, binary or re-published).

    The payload is national and is archived whole; filtering happens in the parse. ``stations``:
    the codes to keep; when None and ``registry_only`` (the default), the service's station
    registry decides (``parse_with``: the codes of ``ctx.stations``); ``registry_only=False`` keeps
    the whole nation (analysts' national stores).
    """

    name: ClassVar[str] = "cnemc_realtime"

    def __init__(
        self,
        url: str,
        *,
        stations: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
        registry_only: bool = True,
    ) -> None:
        self.url = url
        self.stations = frozenset(stations) if stations is not None else None
        self.headers = dict(headers or {})
        self.registry_only = registry_only

    def parse(self, raw: bytes, now: dt.datetime | None = None) -> Parsed:
        return _keep(parse_release(raw, now=now), self.stations)

    def parse_with(self, raw: bytes, ctx: ParseContext) -> Parsed:
        """Parse, keeping ``stations`` or else (``registry_only``) the registry's station codes."""
        keep = self.stations
        if keep is None and self.registry_only and ctx.stations is not None:
            names = ctx.stations
            keep = names.codes if isinstance(names, NameIndex) else frozenset(names.values())
        return _keep(parse_release(raw, now=ctx.fetched_at), keep)

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        """The release holds only the latest hour: one GET, whatever the window."""
        if not self.url:
            raise UpstreamError("cnemc_realtime: no url configured")
        payload, _ = get_payload(
            client,
            self.name,
            self.url,
            headers=self.headers,
            meta={"window_start": window.start.isoformat(), "window_end": window.end.isoformat()},
        )
        return [payload]
