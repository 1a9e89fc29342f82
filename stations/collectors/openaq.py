"""OpenAQ API v3: locations -> sensors -> hourly values (``/v3/sensors/{id}/hours``).

Fetch (``OpenAQCollector.fetch``): for each configured location id, ``GET /v3/locations/{id}/sensors``;
for each sensor of a tracked parameter, ``GET /v3/sensors/{id}/hours?datetime_from&datetime_to&limit&page``
page by page. The key travels in the ``X-API-Key`` header. Paging stops when a page is short, or when
``page * limit >= meta.found`` (``found`` may be an int or a string like ``">1000"``, which means "keep
going"); at most ``max_pages`` pages per sensor. 429 -> ``UpstreamError(retry_after=Retry-After)``;
5xx/transport -> ``UpstreamError``.

Archived payload = an *envelope* (JSON) so that a stored payload can be re-parsed on its own::

    {"envmon": "openaq/1", "url": "...", "station": "1258A", "sensor_id": 3,
     "body": "<the upstream response body, verbatim, as a string>"}

``parse`` accepts an envelope, or a bare v3 ``/latest`` body (whose records carry ``sensorsId``/
``locationsId``). A bare ``/hours`` or ``/measurements`` body has no sensor or location id, so it cannot
name a station: each of its results is rejected with that reason, unless parsed through
:func:`parse_measurements` with an explicit ``station``.

Time: ``period.datetimeTo.utc`` is the END of the hour — exactly our label. Only hourly aggregates are
accepted (``period.label == "1hour"`` or ``interval == "01:00:00"``); raw 30-min values are rejected
("not an hourly aggregate"). Timestamps must carry a zone (``Z`` or ``+00:00``), otherwise rejected.

Units (rule documented here, applied vectorised): OpenAQ reports ``µg/m³`` (PM, and gases for some
providers), ``ppm`` or ``ppb``. Gas mixing ratios are converted at the GB 3095-2012 (2018 amendment)
reference state, 25 °C and 101.325 kPa, where one mole of gas occupies 24.45 L:
``µg/m³ = ppb × M / 24.45`` and ``mg/m³ = ppm × M / 24.45``, with M (g/mol) SO2 64.066, NO2 46.0055,
O3 47.997, CO 28.010. CO ends in mg/m³, the rest in µg/m³. ``mg/m³`` is accepted for CO as is, and
converted ×1000 for the others. Any other unit (or ppm for PM) is rejected with the unit named.
``no`` and ``nox`` are kept as the non-AQI parameters ``NO`` (µg/m³) and ``NOX`` (µg/m³ as NO2), with
the same reference state (``stations.parameters``, M = 30.006 and 46.0055 g/mol); no AQI reads them.
Parameters we do not track (``temperature``, ``relativehumidity``...) are rejected by name.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
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
from stations.collectors._http import get_payload
from stations.collectors.base import ParseContext, Payload, UpstreamError, Window
from stations.model import Parsed, Rejected
from stations.names import NameIndex
from stations.parameters import EXTRA_CODES
from stations.parameters import unit_factor as extra_unit_factor

log = logging.getLogger(__name__)

ENVELOPE: Final = "openaq/1"
MOLAR_VOLUME_L: Final = 24.45  # L/mol at 25 °C, 101.325 kPa (GB 3095-2012, 2018 amendment)
MOLAR_MASS: Final[dict[str, float]] = {"SO2": 64.066, "NO2": 46.0055, "O3": 47.997, "CO": 28.010}

#: OpenAQ parameter name -> our pollutant code.
PARAMETER_TO_CODE: Final[dict[str, str]] = {
    "pm25": "PM25",
    "pm10": "PM10",
    "so2": "SO2",
    "no2": "NO2",
    "o3": "O3",
    "co": "CO",
    "no": "NO",
    "nox": "NOX",
}

_UG: Final = frozenset({"µg/m³", "μg/m³", "ug/m3", "µg/m3", "μg/m3", "ug/m³"})
_MG: Final = frozenset({"mg/m³", "mg/m3"})


def unit_factor(code: str, units: str) -> float | None:
    """Multiplier from ``units`` to our unit for ``code`` (µg/m³, CO mg/m³); None if not convertible."""
    if code in EXTRA_CODES:
        return extra_unit_factor(code, units)
    u = units.strip()
    target_mg = code == "CO"
    if u in _UG:
        return 0.001 if target_mg else 1.0
    if u in _MG:
        return 1.0 if target_mg else 1000.0
    if code in MOLAR_MASS and u.lower() in ("ppm", "ppb"):
        per_ppb_ug = MOLAR_MASS[code] / MOLAR_VOLUME_L  # µg/m³ per ppb == mg/m³ per ppm
        if u.lower() == "ppb":
            return per_ppb_ug / 1000.0 if target_mg else per_ppb_ug
        return per_ppb_ug if target_mg else per_ppb_ug * 1000.0
    return None


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


@never_raises
def parse_measurements(
    body: bytes | str, *, station: str, now: dt.datetime | None = None
) -> Parsed:
    """Parse a bare ``/hours`` or ``/measurements`` body for a known station; never raises."""
    try:
        obj = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
        return payload_rejected(body, f"payload: not JSON ({exc})")
    return _parse_results(obj, station=station, now=now)


def _result_rows(results: list[Any]) -> pd.DataFrame:
    """One row per result: its value, parameter, period, time, ids and raw text (for rejects)."""
    rows = []
    for i, r in enumerate(results, start=1):
        r = r if isinstance(r, dict) else {}
        latest_time = _get(r, "datetime", "utc")
        rows.append(
            {
                "i": i,
                "value": r.get("value"),
                "parameter": _get(r, "parameter", "name"),
                "units": _get(r, "parameter", "units"),
                "label": _get(r, "period", "label"),
                "interval": _get(r, "period", "interval"),
                "to_utc": _get(r, "period", "datetimeTo", "utc") or latest_time,
                "is_latest": latest_time is not None and _get(r, "period") is None,
                "sensor": r.get("sensorsId"),
                "location": r.get("locationsId"),
                "flagged": bool(_get(r, "flagInfo", "hasFlags")),
                "row": json.dumps(r, ensure_ascii=False, sort_keys=True)[:300],
            }
        )
    f = pd.DataFrame(rows)
    for col in ("parameter", "units", "label", "interval"):
        f[col] = f[col].map(lambda v: "missing" if v is None else str(v)).astype(object)
    return f


def _reject(
    f: pd.DataFrame,
    mask: pd.Series,
    reason: str | pd.Series,
    field: str,
    rejected: list[Rejected],
) -> pd.DataFrame:
    """``f`` without the rows of ``mask``, which are added to ``rejected`` with ``reason``."""
    m = mask.fillna(False).astype(bool)
    if not m.any():
        return f
    sub = f[m]
    reasons = reason[m] if isinstance(reason, pd.Series) else pd.Series(reason, index=sub.index)
    for row, why, line in zip(sub["row"], reasons, sub["i"], strict=True):
        rejected.append(Rejected(row=str(row), reason=str(why), field=field, line=int(line)))
    return f[~m]


def _with_station(f: pd.DataFrame, station: str | None, rejected: list[Rejected]) -> pd.DataFrame:
    """Station: given, or from locationsId on /latest records."""
    if station is not None:
        f["station"] = station
        return f
    f["station"] = f["location"].map(lambda v: None if v is None else f"openaq-{v}")
    return _reject(
        f,
        f["station"].isna(),
        "station: result carries no sensor/location id (bare /hours or /measurements body); "
        "parse it through the fetch envelope",
        "station",
        rejected,
    )


def _tracked_hourly(f: pd.DataFrame, rejected: list[Rejected]) -> pd.DataFrame:
    """Only tracked pollutants' hourly aggregates (or /latest records)."""
    f["code"] = f["parameter"].map(PARAMETER_TO_CODE)
    f = _reject(
        f,
        f["code"].isna(),
        "parameter: '"
        + f["parameter"]
        + "' is not a tracked pollutant"
        + " (a /latest record names only its sensor: fetch /hours for it instead)",
        "parameter",
        rejected,
    )
    hourly = f["is_latest"] | (f["label"] == "1hour") | (f["interval"] == "01:00:00")
    return _reject(
        f,
        ~hourly,
        "period: not an hourly aggregate (label "
        + f["label"]
        + ", interval "
        + f["interval"]
        + "); use /hours",
        "period",
        rejected,
    )


def _with_unit_factor(f: pd.DataFrame, rejected: list[Rejected]) -> pd.DataFrame:
    """The factor to the standard's units (µg/m³, CO mg/m³); unknown units rejected."""
    factor = pd.Series(
        [unit_factor(str(c), str(u)) for c, u in zip(f["code"], f["units"], strict=True)],
        index=f.index,
        dtype="float64",
    )
    f["factor"] = factor
    return _reject(
        f,
        factor.isna(),
        "units: cannot convert '"
        + f["units"]
        + "' for "
        + f["parameter"]
        + " (known: µg/m³, mg/m³, ppm, ppb for gases)",
        "units",
        rejected,
    )


def _parse_results(obj: Any, *, station: str | None, now: dt.datetime | None) -> Parsed:
    results = _get(obj, "results")
    if not isinstance(results, list):
        return payload_rejected(json.dumps(obj)[:200], "payload: no 'results' list")
    if not results:
        return Parsed()
    rejected: list[Rejected] = []
    f = _with_station(_result_rows(results), station, rejected)
    f = _with_unit_factor(_tracked_hourly(f, rejected), rejected)
    times, naive = parse_aware_times(f["to_utc"].astype("string"))
    f["time"] = times
    f = _reject(
        f,
        naive,
        "time: timestamp without a zone (rule: times must carry an offset)",
        "time",
        rejected,
    )
    value = pd.to_numeric(f["value"], errors="coerce").astype("float64") * f["factor"]
    candidates = pd.DataFrame(
        {
            "station": f["station"].astype(object),
            "time": f["time"],
            "pollutant": f["code"].astype(object),
            "value": value.round(6),
            "flag": np.where(f["flagged"], "upstream_flagged", ""),
            "line": f["i"],
            "row": f["row"],
        }
    )
    readings, bad = check_readings(candidates, now=now)
    return Parsed(readings=readings, rejected=rejected + bad)


@never_raises
def parse_openaq(raw: bytes, *, now: dt.datetime | None = None) -> Parsed:
    """Parse an envelope (from ``fetch``) or a bare ``/latest`` body; never raises."""
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return payload_rejected(raw, f"payload: not JSON ({exc})")
    if isinstance(obj, dict) and obj.get("envmon") == ENVELOPE:
        body = obj.get("body")
        station = obj.get("station")
        if not isinstance(body, str) or not isinstance(station, str):
            return payload_rejected(raw, "payload: envelope without body/station")
        kind = obj.get("kind", "hours")
        if kind == "sensors":  # archived for provenance; holds no readings
            return Parsed()
        return parse_measurements(body, station=station, now=now)
    return _parse_results(obj, station=None, now=now)


def _sensor_position(sensors: Any) -> tuple[float, float] | None:
    """(lon, lat) of a location from its sensors' ``latest.coordinates``, if any sensor has one."""
    for s in sensors if isinstance(sensors, list) else []:
        c = _get(s, "latest", "coordinates")
        lon, lat = _get(c, "longitude"), _get(c, "latitude")
        if isinstance(lon, int | float) and isinstance(lat, int | float):
            return float(lon), float(lat)
    return None


def _found_more(meta: Any, page: int, limit: int, n: int) -> bool:
    if n < limit:
        return False
    found = _get(meta, "found") if isinstance(meta, dict) else None
    if isinstance(found, int):
        return page * limit < found
    return True  # ">1000" or missing: a full page means there may be more


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (km) between two (lon, lat) points (haversine, mean Earth radius)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(h)))


def match_location(
    where: tuple[float, float] | None,
    points: Mapping[str, tuple[float, float]],
    max_km: float,
) -> tuple[str | None, float | None]:
    """The registry station nearest to an OpenAQ location, if within ``max_km``: (code, km)."""
    if where is None or not points or max_km <= 0:
        return None, None
    code, km = min(((c, _km(where, p)) for c, p in points.items()), key=lambda x: x[1])
    return (code, km) if km <= max_km else (None, km)


def _location_of(obj: Any) -> tuple[int | None, tuple[float, float] | None]:
    """(location id, (lon, lat)) an envelope carries, if any."""
    loc = obj.get("location_id") if isinstance(obj, dict) else None
    lon, lat = (obj.get("lon"), obj.get("lat")) if isinstance(obj, dict) else (None, None)
    where = (
        (float(lon), float(lat))
        if isinstance(lon, int | float) and isinstance(lat, int | float)
        else None
    )
    return (int(loc) if isinstance(loc, int) else None), where


class OpenAQCollector:
    """OpenAQ v3 for configured locations, each landing on a registry station.

    ``stations`` maps OpenAQ location id -> registry station code. A location not in it is matched
    (``parse_with``) to the nearest registry station within ``match_km`` of the location's
    coordinates (from its sensors), and the match is logged; failing that, its rows are rejected
    naming ``ENVMON_OPENAQ_STATIONS`` -- never stored under an ``openaq-<id>`` station outside the
    registry.
    """

    name: ClassVar[str] = "openaq"

    def __init__(
        self,
        api_key: str,
        locations: Sequence[int],
        *,
        stations: Mapping[int, str] | None = None,
        base_url: str = "https://api.openaq.org",
        limit: int = 1000,
        max_pages: int = 50,
        match_km: float = 2.0,
    ) -> None:
        self.api_key = api_key
        self.locations = list(locations)
        self.stations = dict(stations or {})
        self.match_km = match_km
        self.base_url = base_url.rstrip("/")
        self.limit = limit
        self.max_pages = max_pages

    def parse(self, raw: bytes, now: dt.datetime | None = None) -> Parsed:
        return parse_openaq(raw, now=now)

    def parse_with(self, raw: bytes, ctx: ParseContext) -> Parsed:
        """Parse, then put each location's rows on its registry station (mapped, or matched by
        distance); rows of a location that is neither are rejected with the reason."""
        parsed = parse_openaq(raw, now=ctx.fetched_at)
        if parsed.readings.empty or ctx.stations is None:
            return parsed
        known = (
            ctx.stations.codes
            if isinstance(ctx.stations, NameIndex)
            else set(ctx.stations.values())
        )
        try:
            loc, where = _location_of(json.loads(raw))
        except (ValueError, UnicodeDecodeError):
            loc, where = None, None
        station = parsed.readings["station"].astype(str)
        if loc is not None and loc in self.stations:
            station[:] = self.stations[loc]
        elif loc is not None:
            code, km = match_location(where, ctx.station_points or {}, self.match_km)
            if code is not None:
                log.info(
                    "openaq: location %d at %s matched to station %s (%.2f km)",
                    loc,
                    where,
                    code,
                    km,
                )
                station[:] = code
        parsed.readings["station"] = station.to_numpy()
        outside = ~station.isin(known)
        if outside.any():
            where_text = "no coordinates" if where is None else f"({where[0]:.5f}, {where[1]:.5f})"
            reason = (
                f"station: OpenAQ location {loc} ({where_text}) is no registry station: map it with "
                f"ENVMON_OPENAQ_STATIONS={loc}=<code>, or import a station within "
                f"ENVMON_OPENAQ_MATCH_KM ({self.match_km:g} km)"
            )
            bad = parsed.readings[outside.to_numpy()]
            parsed.rejected += [
                Rejected(
                    row=f"{r.station} {r.time} {r.pollutant}={r.value}",
                    reason=reason,
                    field="station",
                )
                for r in bad.itertuples()
            ]
            parsed.readings = parsed.readings[~outside.to_numpy()].reset_index(drop=True)
        return parsed

    def _envelope(
        self,
        payload: Payload,
        station: str,
        kind: str,
        sensor: int | None,
        location: int | None = None,
        where: tuple[float, float] | None = None,
    ) -> Payload:
        env = {
            "envmon": ENVELOPE,
            "kind": kind,
            "url": payload.url,
            "station": station,
            "sensor_id": sensor,
            "location_id": location,
            "lon": None if where is None else where[0],
            "lat": None if where is None else where[1],
            "body": payload.raw.decode("utf-8", errors="replace"),
        }
        return Payload(
            source=self.name,
            url=payload.url,
            raw=json.dumps(env, ensure_ascii=False).encode(),
            content_type="application/json",
            meta={**payload.meta, "station": station},
        )

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        headers = {"X-API-Key": self.api_key, "Accept": "application/json"}
        out: list[Payload] = []
        for loc in self.locations:
            station = self.stations.get(loc, f"openaq-{loc}")
            p, resp = get_payload(
                client, self.name, f"{self.base_url}/v3/locations/{loc}/sensors", headers=headers
            )
            try:
                sensors = resp.json().get("results", [])
            except (ValueError, AttributeError) as exc:
                raise UpstreamError(f"openaq: sensors of location {loc}: not JSON ({exc})") from exc
            where = _sensor_position(sensors)
            out.append(self._envelope(p, station, "sensors", None, loc, where))
            for s in sensors:
                if _get(s, "parameter", "name") not in PARAMETER_TO_CODE:
                    continue
                sid = int(s["id"])
                for page in range(1, self.max_pages + 1):
                    p, resp = get_payload(
                        client,
                        self.name,
                        f"{self.base_url}/v3/sensors/{sid}/hours",
                        headers=headers,
                        params={
                            # /hours filters on the period start: the hour ending at window.start
                            # starts one hour earlier.
                            "datetime_from": (window.start - dt.timedelta(hours=1)).isoformat(),
                            "datetime_to": window.end.isoformat(),
                            "limit": self.limit,
                            "page": page,
                        },
                        meta={"sensor_id": str(sid), "page": str(page)},
                    )
                    out.append(self._envelope(p, station, "hours", sid, loc, where))
                    try:
                        obj = resp.json()
                    except ValueError as exc:
                        raise UpstreamError(f"openaq: sensor {sid} page {page}: not JSON") from exc
                    n = len(obj.get("results", [])) if isinstance(obj, dict) else 0
                    if not _found_more(
                        obj.get("meta") if isinstance(obj, dict) else None, page, self.limit, n
                    ):
                        break
        return out
