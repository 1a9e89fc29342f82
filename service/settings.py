"""Service settings, read once from ``ENVMON_*`` environment variables at the edge and passed inward.

The settings are grouped by concern: ``settings.store``, ``.feeds``, ``.collection``, ``.maps``,
``.http``, ``.sessions``, ``.zones``, ``.surfaces``, ``.supervision``, ``.alerts``,
``.logs`` (one ``_Group`` model each); the
variable names stay flat (``ENVMON_DATABASE_URL`` is ``settings.store.database_url``). A new
setting goes into its concern's group, with a row in the README's settings table (add, never
rename).

``load_settings()`` is what the CLI and the container call: it turns a wrong value into a
``SettingsError`` whose message names the variable, the rule and what to do.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal, cast, get_args
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: Every setting ``name`` is read from the environment variable ``ENVMON_<NAME>``.
ENV_PREFIX = "ENVMON_"

#: Values that must never guard a production deployment.
INSECURE_SECRETS = frozenset(
    {"", "changethis", "changeme", "secret", "password", "postgres", "admin", "envmon", "test"}
)
MIN_SECRET_LENGTH = 16
#: A production secret needs at least this many different characters (``aaaa…``, ``abab…`` fail).
MIN_SECRET_DISTINCT = 8
#: ...and at least this many bits by a character-count estimate: length × the Shannon entropy of
#: its character frequencies (a ``secrets.token_urlsafe(32)`` value has about 200).
MIN_SECRET_BITS = 64.0
#: Shortest database password accepted in production (characters).
MIN_DB_PASSWORD_LENGTH = 12
#: Basemaps the maps can draw (``maps.basemaps.from_name``).
MAP_BASEMAPS = ("osm", "tianditu", "autonavi", "offline")


def secret_bits(value: str) -> float:
    """Entropy estimate of ``value`` in bits: its length × the Shannon entropy (bits per character)
    of its own character frequencies. An upper bound for human-made text, close for random
    tokens; it catches repeated and near-repeated characters, not dictionary words."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return len(value) * per_char


def secret_weakness(value: str, min_length: int = MIN_SECRET_LENGTH) -> str | None:
    """Why ``value`` may not guard production, else ``None``: a known default, shorter than
    ``min_length``, fewer than ``MIN_SECRET_DISTINCT`` distinct characters, or under
    ``MIN_SECRET_BITS`` by ``secret_bits``."""
    if value.lower() in INSECURE_SECRETS:
        return "is an insecure default"
    if len(value) < min_length:
        return f"is an insecure default or shorter than {min_length} characters"
    if len(set(value)) < MIN_SECRET_DISTINCT:
        return f"is an insecure default: fewer than {MIN_SECRET_DISTINCT} distinct characters"
    if secret_bits(value) < MIN_SECRET_BITS:
        return f"is an insecure default: under {MIN_SECRET_BITS:.0f} bits of entropy (estimate)"
    return None


#: ``scheme://user:password@`` in a URL, for masking the password in messages.
_URL_PASSWORD = re.compile(r"""(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'"]*:)[^\s'"]*(?=@)""")


def mask_url_password(text: str) -> str:
    """``text`` with the password of any ``scheme://user:password@`` URL in it replaced by
    ``***`` (also when the URL is malformed)."""
    return _URL_PASSWORD.sub(r"\g<head>***", text)


class SettingsError(ValueError):
    """A setting has a wrong value; the message names the ``ENVMON_*`` variable and the rule."""


class _Group(BaseModel):
    """One concern's settings. Each field ``name`` is read from ``ENVMON_<NAME>`` (the variable
    names are flat: the group is how the code is organised, not part of the name)."""

    model_config = ConfigDict(extra="ignore")


def _json_or_commas(value: Any, what: str) -> Any:
    """A list/object setting given as JSON (``[...]``/``{...}``) or, for lists, comma-separated."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not a valid JSON {what} ({exc.msg})") from exc
    return [part.strip() for part in text.split(",") if part.strip()]


def _blank_is_none(value: Any) -> Any:
    # docker-compose passes unset optional values as empty strings.
    return None if isinstance(value, str) and not value.strip() else value


def _network_list(value: str, example: str, *, star: bool) -> str:
    """A comma-separated list of IP addresses and networks (and ``*`` when ``star``), cleaned."""
    items = [part.strip() for part in value.split(",") if part.strip()]
    if not items:
        raise ValueError(f"must name at least one address or network ({example})")
    for item in items:
        if star and item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            what = "an IP address, a network or *" if star else "an IP address or a CIDR network"
            raise ValueError(f"{item!r} is not {what}") from None
    return ",".join(items)


class StoreSettings(_Group):
    """Where the data lives: the embedded store and payload archive, or PostgreSQL."""

    data_dir: Path = Field(default=Path("data"), description="Embedded store and payload archive.")
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; the embedded SQLite file is used when unset."
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            url = make_url(value.strip())
        except ArgumentError as exc:
            raise ValueError("is not a database URL like postgresql://user:pass@host/db") from exc
        if url.get_backend_name() not in {"postgresql", "sqlite"}:
            raise ValueError("must be a postgresql:// (or sqlite://) URL")
        return value.strip()

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{str(value)!r} exists and is not a directory")
        return value

    @property
    def sqlite_url(self) -> str:
        """URL of the embedded SQLite store under ``data_dir``."""
        return f"sqlite:///{(self.data_dir / 'envmon.sqlite3').resolve()}"

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: PostgreSQL when configured, else embedded SQLite."""
        return self.database_url or self.sqlite_url


class FeedSettings(_Group):
    """The upstream feeds; with none configured the service runs on the demo feed."""

    openaq_api_key: SecretStr | None = Field(default=None, description="OpenAQ API v3 key.")
    realtime_feed_url: str | None = Field(
        default=None, description="URL of the national real-time station release."
    )
    water_auto_url: str | None = Field(
        default=None, description="URL of the automatic water stations' JSON/CSV feed (4-hourly)."
    )
    demo: bool | None = Field(
        default=None,
        description="Force the demo feed on or off; by default on exactly when no upstream is set.",
    )
    openaq_locations: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="OpenAQ location ids to collect (comma-separated); needs ENVMON_OPENAQ_API_KEY.",
    )
    # The bureau's own data (issue 13): which upstream rows belong to which registry entry.
    openaq_stations: Annotated[dict[int, str], NoDecode] = Field(
        default_factory=dict,
        description="OpenAQ location id -> registry station code, e.g. 2178=1258A,3001=DS-01. "
        "A location not listed is matched to the nearest registry station within "
        "ENVMON_OPENAQ_MATCH_KM (the match is logged), else its rows are quarantined.",
    )
    openaq_match_km: float = Field(
        default=2.0,
        ge=0,
        le=50,
        description="Largest distance (km) at which an unlisted OpenAQ location is taken as the "
        "nearest registry station; 0 turns matching off (only ENVMON_OPENAQ_STATIONS counts).",
    )
    realtime_stations: str = Field(
        default="registry",
        description="Stations kept from the national real-time release: registry (the store's "
        "station registry), all (the whole nation), or a comma-separated list of codes.",
    )

    @field_validator("openaq_api_key", mode="before")
    @classmethod
    def _empty_key_is_unset(cls, value: Any) -> Any:
        return _blank_is_none(value)

    @field_validator("openaq_locations", mode="before")
    @classmethod
    def _locations(cls, value: Any) -> Any:
        return _json_or_commas(value, "list")

    @field_validator("openaq_stations", mode="before")
    @classmethod
    def _location_pairs(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().startswith("{"):
            pairs = {}
            for part in (p.strip() for p in value.split(",") if p.strip()):
                loc, sep, code = part.partition("=")
                if not sep or not loc.strip().isdigit() or not code.strip():
                    raise ValueError(f"{part!r} is not LOCATION_ID=STATION_CODE")
                pairs[int(loc)] = code.strip()
            return pairs
        return _json_or_commas(value, "object")

    @field_validator("realtime_feed_url", "water_auto_url")
    @classmethod
    def _feed_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError("must be an http(s) URL")
        return value or None

    @property
    def upstreams_configured(self) -> bool:
        """Whether any real upstream feed is configured."""
        openaq = bool(self.openaq_api_key and self.openaq_locations)
        return bool(openaq or self.realtime_feed_url or self.water_auto_url)

    @property
    def demo_mode(self) -> bool:
        """Whether the service runs on the demo feed (no upstream configured, unless forced)."""
        return self.demo if self.demo is not None else not self.upstreams_configured


class CollectionSettings(_Group):
    """How collection runs: the scheduler, intervals, backfill, fetch retries, the lab inbox."""

    scheduler_enabled: bool = Field(
        default=False,
        description="Start the collection scheduler with the app (envmon serve does).",
    )
    air_interval_minutes: int = Field(
        default=60, ge=1, description="How often the hourly air collectors run."
    )
    water_interval_hours: int = Field(
        default=4, ge=1, description="How often the automatic water stations are collected."
    )
    backfill_max_hours: int = Field(
        default=72,
        ge=1,
        description="On start, refetch at most this far back since a collector's last success.",
    )
    backfill_overlap_hours: int = Field(
        default=3, ge=0, description="Each run also refetches this many hours to catch revisions."
    )
    misfire_grace_s: int = Field(
        default=900, ge=1, description="A job later than this is skipped (the next run backfills)."
    )
    lab_inbox: Path | None = Field(
        default=None,
        description="Folder watched for lab files (default <data_dir>/lab/inbox); imported files "
        "move to the sibling processed/ or quarantine/ folder.",
    )
    lab_watch_s: int = Field(default=60, ge=1, description="How often the lab folder is checked.")
    fetch_timeout_s: float = Field(default=30.0, gt=0, description="Upstream HTTP timeout.")
    fetch_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest upstream answer read (bytes, as received); a larger one fails the "
        "run and is not read further.",
    )
    fetch_attempts: int = Field(default=4, ge=1, description="Attempts per collector run.")
    fetch_backoff_max_s: float = Field(
        default=60.0, gt=0, description="Longest backoff between two fetch attempts (seconds)."
    )
    fetch_retry_after_max_s: float = Field(
        default=300.0,
        gt=0,
        description="A longer Retry-After ends the run as failed; the next run backfills.",
    )


class MapSettings(_Group):
    """The maps' basemap and tiles."""

    map_basemap: str = Field(
        default="osm", description="Default basemap of the maps: osm, tianditu, autonavi, offline."
    )
    map_tiles: str | None = Field(
        default=None,
        description="Tile URL template ({z}/{x}/{y}, optional {s}) replacing the osm or autonavi "
        "server, e.g. the bureau's own tile cache.",
    )
    tianditu_key: str | None = Field(
        default=None,
        description="The bureau's Tianditu (天地图) browser key; needed for the tianditu basemap "
        "(it is sent to browsers in tile URLs, so it is not a secret).",
    )

    @field_validator("map_basemap")
    @classmethod
    def _map_basemap(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in MAP_BASEMAPS:
            raise ValueError(f"must be one of {', '.join(MAP_BASEMAPS)}")
        return value

    @field_validator("map_tiles", "tianditu_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return _blank_is_none(value)

    @field_validator("map_tiles")
    @classmethod
    def _map_tiles(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value.replace("{", "").replace("}", ""))
        if not (parts.scheme in {"http", "https"} and parts.netloc) and not value.startswith("/"):
            raise ValueError("must be an http(s) URL or a path starting with /")
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in value]
        if missing:
            raise ValueError(f"is a tile URL template and must contain {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _basemap_has_key(self) -> MapSettings:
        if self.map_basemap == "tianditu" and not self.tianditu_key:
            raise ValueError(
                "ENVMON_MAP_BASEMAP=tianditu needs ENVMON_TIANDITU_KEY (the bureau's Tianditu "
                "browser key); set it, or choose osm, autonavi or offline"
            )
        return self


class HttpSettings(_Group):
    """The HTTP side: who may frame and call, docs pages, proxies, rate and size limits, and
    the server's own limits (service/http_server.py; docs/security-hardening.md)."""

    public_sites: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to frame the public map and call the API "
        "(JSON list or comma-separated, e.g. https://sthjj.zhoushan.gov.cn).",
    )
    docs_enabled: bool = Field(
        default=True,
        description="Serve /docs (Swagger UI) and /redoc (ReDoc) from envmon's own files; off in "
        "production unless set (OpenAPI stays at /openapi.json).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For/-Proto are trusted (comma-separated IPs or "
        "networks; * outside production only); the bureau's reverse proxy, so that rate limiting "
        "sees client addresses (the right-most hop that is not one of these).",
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Public requests per client IP per minute; 0 turns it off."
    )
    rate_limit_burst: int = Field(default=120, ge=1, description="Token-bucket size per client IP.")
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest accepted request body (bytes)."
    )
    max_json_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="Largest accepted JSON request body (bytes); files may be up to "
        "ENVMON_MAX_UPLOAD_BYTES.",
    )
    cache_max_age: int = Field(
        default=60, ge=0, description="Cache-Control max-age of public responses (seconds)."
    )
    http_header_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="A request's line and headers must arrive within this many seconds of its "
        "first byte, else the connection is closed (slowloris).",
    )
    http_keep_alive_s: int = Field(
        default=75, ge=1, le=3600, description="An idle kept-alive connection is closed after this."
    )
    http_max_connections: int = Field(
        default=4096,
        ge=16,
        description="Open connections plus running requests per process above which new requests "
        "get 503 (uvicorn limit_concurrency); the open-file limit is raised to fit.",
    )
    http_max_header_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        le=1024 * 1024,
        description="Largest request line plus headers (bytes); more is answered 400.",
    )

    metrics_allow: str = Field(
        default="127.0.0.0/8,::1",
        description="Networks served GET /metrics (comma-separated IPs or CIDR networks, by the "
        "trusted client address); everyone else gets 403.",
    )

    @field_validator("public_sites", mode="before")
    @classmethod
    def _split_sites(cls, value: Any) -> Any:
        return _json_or_commas(value, "list")

    @field_validator("metrics_allow")
    @classmethod
    def _metrics_allow(cls, value: str) -> str:
        return _network_list(value, "127.0.0.0/8,::1 is loopback", star=False)

    @property
    def metrics_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The networks of ``metrics_allow``."""
        return [ipaddress.ip_network(item, strict=False) for item in self.metrics_allow.split(",")]

    @field_validator("public_sites")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        cleaned = []
        for site in value:
            parts = urlsplit(site)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise ValueError(f"{site!r} is not an origin like https://example.gov.cn")
            if parts.path not in {"", "/"} or parts.query or parts.fragment:
                raise ValueError(f"{site!r} must be an origin only (scheme://host[:port], no path)")
            cleaned.append(f"{parts.scheme}://{parts.netloc}".lower())
        return cleaned

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _forwarded_allow_ips(cls, value: str) -> str:
        return _network_list(value, "127.0.0.1 trusts only loopback", star=True)


class SessionSettings(_Group):
    """Staff browser sign-in (service/api/session.py)."""

    session_secret: SecretStr | None = Field(
        default=None,
        description="Key (HMAC-SHA256) under which the store keeps staff session tokens; required "
        "in production. Unset elsewhere: a random key per process, so sessions end at restart.",
    )
    session_hours: int = Field(
        default=8, ge=1, le=720, description="How long a staff browser sign-in lasts (hours)."
    )
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="A staff browser session unused this long ends (minutes; use is recorded "
        "at most once a minute).",
    )

    @field_validator("session_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return _blank_is_none(value)


class ZoneUploadSettings(_Group):
    """Zone-file uploads, parsed in a worker process (service/zone_worker.py, issue 22)."""

    zone_max_bytes: int = Field(
        default=16 * 1024 * 1024, gt=0, description="Largest zone file accepted (bytes)."
    )
    zone_max_features: int = Field(
        default=20_000, gt=0, description="Most zones (features, placemarks) in one zone file."
    )
    zone_max_vertices: int = Field(
        default=2_000_000, gt=0, description="Most coordinate positions over all zones of a file."
    )
    zone_max_unzipped_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, description="Largest unpacked size of a zipped Shapefile."
    )
    zone_parse_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="Wall time one zone file may take to parse (s)."
    )
    zone_parse_memory_mb: int = Field(
        default=2048, ge=0, description="Memory cap of the parsing process (MiB; 0: no cap)."
    )


class SurfaceSettings(_Group):
    """Supplied rasters (surfaces), read in a worker process (service/surface_worker.py)."""

    surface_max_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, description="Largest raster file accepted (bytes)."
    )
    surface_max_cells: int = Field(
        default=50_000_000, gt=0, description="Most cells (width x height x bands) in one raster."
    )
    surface_parse_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="Wall time one raster may take to read (s)."
    )
    surface_parse_memory_mb: int = Field(
        default=2048, ge=0, description="Memory cap of the raster-reading process (MiB; 0: no cap)."
    )


class SupervisionSettings(_Group):
    """Zone supervision: yards and ports (issue 16; docs/supervision.md)."""

    gb37822_special_limits: bool = Field(
        default=False,
        description="Check in-plant monitors against GB 37822-2019 表A.1's special limits "
        "(特别排放限值, NMHC 6 / 20 mg/m³) instead of the general ones (10 / 30).",
    )
    db33_2146_applies: bool = Field(
        default=True,
        description="Check the boundary monitors of ship-repair yards against DB33/2146-2018 "
        "(Zhejiang industrial coating) as well as GB 16297-1996.",
    )
    db33_2146_boundary_nmhc_mg: float = Field(
        default=4.0,
        gt=0,
        le=100,
        description="DB33/2146-2018 企业边界 NMHC limit, mg/m³ as carbon (not verified from the "
        "standard's text: docs/standards.md U16).",
    )
    supervision_near_km: float = Field(
        default=3.0,
        ge=0,
        le=50,
        description="AQI stations within this many km of a zone count as 'near' it (km).",
    )
    supervision_background_stations: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="The city's background stations (codes, comma-separated); unset: stations of "
        "kind background, else every AQI station farther than ENVMON_SUPERVISION_NEAR_KM from "
        "the zone.",
    )
    zone_alert_window_hours: float = Field(
        default=3.0,
        gt=0,
        le=72,
        description="Hours looked back by the zone limit and rise alerts; they resolve when the "
        "window holds no exceedance / rise.",
    )
    zone_rise_limits: Annotated[dict[str, float], NoDecode] = Field(
        default_factory=lambda: {"NO2": 40.0, "SO2": 20.0, "PM25": 35.0, "NMHC": 1.0},
        description="Rise of a zone's monitors over the background (window mean minus background "
        "mean) that fires zone_rise_over_background, per parameter in its stored unit, e.g. "
        "NO2=40,SO2=20,PM25=35,NMHC=1.0.",
    )
    zone_monitor_silent_hours: float = Field(
        default=6.0,
        gt=0,
        description="Hours a zone monitor may send nothing before zone_monitor_silent.",
    )

    @field_validator("supervision_background_stations", mode="before")
    @classmethod
    def _split_codes(cls, value: Any) -> Any:
        return _json_or_commas(value, "list")

    @field_validator("zone_rise_limits", mode="before")
    @classmethod
    def _parse_rise_limits(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().startswith("{"):
            out: dict[str, float] = {}
            for part in (p.strip() for p in value.split(",") if p.strip()):
                key, sep, number = part.partition("=")
                try:
                    out[key.strip().upper()] = float(number)
                except ValueError:
                    sep = ""
                if not sep:
                    raise ValueError(f"{part!r}: write PARAMETER=number, e.g. NO2=40")
            return out
        return _json_or_commas(value, "object")


class AlertSettings(_Group):
    """Alerts and webhooks (service/alerts)."""

    alert_rules_file: Path | None = Field(
        default=None,
        description="JSON thresholds per rule and district (service.alerts.rules.AlertConfig).",
    )
    alert_external_url: str = Field(
        default="",
        description="Base URL of envmon's staff site (e.g. https://envmon.example.gov.cn), linked "
        "from alert messages; unset, messages carry no links.",
    )
    alert_evaluate_minutes: float = Field(
        default=5.0,
        ge=0.1,
        le=1440,
        description="How often alerts are evaluated on their own schedule, whether or not new "
        "data arrived (minutes); target changes, imports and recomputes evaluate at once.",
    )
    alert_silent_hourly_hours: float = Field(
        default=6.0,
        gt=0,
        description="Hours an hourly air station may send nothing before the silent alert.",
    )
    alert_silent_auto_water_hours: float = Field(
        default=12.0,
        gt=0,
        description="Hours a 4-hourly automatic water station may send nothing before the "
        "silent alert.",
    )
    alert_silent_monthly_grace_days: float = Field(
        default=15.0,
        ge=0,
        description="Days after the end of the month a lab section's next sample is due in "
        "before the silent alert (results arrive after sampling).",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhooks to loopback and private addresses (tests, closed networks).",
    )
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, description="Timeout of one webhook attempt (seconds)."
    )
    webhook_max_payload_bytes: int = Field(
        default=256 * 1024, gt=1024, description="Largest webhook body (bytes)."
    )
    webhook_retry_hours: float = Field(
        default=24.0, gt=0, description="How long a webhook message is retried (hours)."
    )
    webhook_backoff_base_s: float = Field(
        default=5.0, gt=0, description="First retry delay; doubles per attempt (seconds)."
    )
    webhook_backoff_max_s: float = Field(
        default=3600.0, gt=0, description="Longest delay between two attempts (seconds)."
    )
    webhook_key: SecretStr | None = Field(
        default=None,
        description="Key (AES-256-GCM) sealing the webhook subscriptions' signing secrets in the "
        "store: 32 random bytes as 64 hex digits or base64, else a long passphrase (HKDF-SHA256). "
        "Required in production, distinct from ENVMON_SESSION_SECRET. Unset elsewhere: the key "
        "file <data_dir>/webhook.key, made on first use.",
    )

    @field_validator("webhook_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return _blank_is_none(value)


class LogSettings(_Group):
    """Log lines of serve and schedule (service/logs.py)."""

    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines of serve and schedule: text, or one JSON object per line "
        "(with the request id).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Lowest level logged by serve and schedule."
    )


class ArchiveSettings(_Group):
    """Offline computations over archive history: where their Dask graph runs (service/dask_run.py)."""

    dask_scheduler: str | None = Field(
        default=None,
        description="Address of a dask.distributed scheduler (tcp://host:port or tls://host:port) "
        "that runs envmon ratio, assess and archive to-zarr; unset: processes on this machine "
        "(--workers).",
    )

    @field_validator("dask_scheduler", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return _blank_is_none(value)

    @field_validator("dask_scheduler")
    @classmethod
    def _scheduler_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in {"tcp", "tls"} or not parts.hostname or parts.port is None:
            raise ValueError(
                "must be tcp://host:port or tls://host:port (a dask.distributed scheduler)"
            )
        return value.strip()


class _FlatEnvironment(PydanticBaseSettingsSource):
    """Reads ``ENVMON_<NAME>`` for every field of every group (and ``Settings``' own fields),
    with pydantic-settings' own parsing, and returns them nested by group."""

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        own = EnvSettingsSource(self.settings_cls)
        for name, field in self.settings_cls.model_fields.items():
            group = _group_class(field.annotation)
            if group is not None:
                # EnvSettingsSource only reads the model's config (prefix, case) from the class.
                source = EnvSettingsSource(
                    cast("type[BaseSettings]", group), env_prefix=ENV_PREFIX, case_sensitive=False
                )
                values[name] = source()
                continue
            value, key, is_complex = own.get_field_value(field, name)
            value = own.prepare_field_value(name, field, value, is_complex)
            if value is not None:
                values[key] = value
        return values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ reads every field itself


def _group_class(annotation: Any) -> type[_Group] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, _Group) else None


class Settings(BaseSettings):
    """Everything the running service may be configured with, grouped by concern.

    A new setting goes into its concern's group above (``settings.<group>.<name>``, read from
    ``ENVMON_<NAME>``), with a README row; a new concern is a new ``_Group`` field here. Only
    ``service/`` reads settings; ``stations``, ``geodata`` and ``maps`` take arguments.
    ``Settings(name=value)`` accepts the flat names too (tests, ``load_settings`` overrides).
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    environment: str = Field(default="development", description="development | production | test")
    store: StoreSettings = Field(default_factory=StoreSettings)
    feeds: FeedSettings = Field(default_factory=FeedSettings)
    collection: CollectionSettings = Field(default_factory=CollectionSettings)
    maps: MapSettings = Field(default_factory=MapSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    zones: ZoneUploadSettings = Field(default_factory=ZoneUploadSettings)
    surfaces: SurfaceSettings = Field(default_factory=SurfaceSettings)
    supervision: SupervisionSettings = Field(default_factory=SupervisionSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    logs: LogSettings = Field(default_factory=LogSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, _FlatEnvironment(settings_cls))

    @model_validator(mode="before")
    @classmethod
    def _group_flat_names(cls, data: Any) -> Any:
        """``Settings(data_dir=...)``: a flat name moves into its group (over the environment)."""
        if not isinstance(data, dict):
            return data
        grouped = dict(data)
        for name, value in data.items():
            group = GROUP_OF.get(name)
            if group is None:
                continue
            del grouped[name]
            current = grouped.get(group) or {}
            if isinstance(current, BaseModel):
                current = current.model_dump(exclude_unset=True)
            grouped[group] = {**current, name: value}
        return grouped

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        if value not in {"development", "production", "test"}:
            raise ValueError("must be one of development, production, test")
        return value

    @model_validator(mode="after")
    def _production_defaults(self) -> Settings:
        """In production the API documentation pages are off and the maps' basemap is offline
        unless set; a basemap that would load foreign tiles (osm, or autonavi, without the
        bureau's ENVMON_MAP_TILES) is refused (README "Basemaps")."""
        if self.environment != "production":
            return self
        if "docs_enabled" not in self.http.model_fields_set:
            self.http.docs_enabled = False
        maps = self.maps
        if maps.map_basemap in {"osm", "autonavi"} and not maps.map_tiles:
            if "map_basemap" in maps.model_fields_set:
                raise ValueError(
                    f"ENVMON_MAP_BASEMAP={maps.map_basemap} loads tiles from a server without an "
                    "approved map (审图号) in production: choose tianditu (with "
                    "ENVMON_TIANDITU_KEY), offline, or set ENVMON_MAP_TILES to the bureau's tile "
                    "cache"
                )
            maps.map_basemap = "offline"
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment != "production":
            return self
        _production_database(self.store.database_url)
        session_secret = self.sessions.session_secret
        if session_secret is None:
            raise ValueError(
                "ENVMON_SESSION_SECRET is required in production (a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        for site in self.http.public_sites:
            if not site.startswith("https://"):
                raise ValueError(f"ENVMON_PUBLIC_SITES: {site} must use https in production")
        for name, value in self.flat_values().items():
            if isinstance(value, SecretStr):
                weakness = secret_weakness(value.get_secret_value())
                if weakness is not None:
                    raise ValueError(
                        f"ENVMON_{name.upper()} {weakness}; use a long random value, e.g. "
                        "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                    )
        webhook_key = self.alerts.webhook_key
        if webhook_key is None:
            raise ValueError(
                "ENVMON_WEBHOOK_KEY is required in production: it encrypts the webhook secrets "
                "in the store (32 random bytes, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        if webhook_key.get_secret_value().strip() == session_secret.get_secret_value().strip():
            # One key per purpose: a leaked cookie key must not also open the webhook secrets.
            raise ValueError("ENVMON_WEBHOOK_KEY must differ from ENVMON_SESSION_SECRET")
        if self.http.rate_limit_per_minute == 0:
            raise ValueError(
                "ENVMON_RATE_LIMIT_PER_MINUTE=0 turns rate limiting off; not in production"
            )
        if "*" in self.http.forwarded_allow_ips.split(","):
            # Anyone could then name any client address: one bucket per request, no limit.
            raise ValueError(
                "ENVMON_FORWARDED_ALLOW_IPS=* trusts X-Forwarded-For from every peer; in production "
                "name the reverse proxy's address or network (see docs/security-hardening.md)"
            )
        return self

    @model_validator(mode="after")
    def _openaq_complete(self) -> Settings:
        # Last of the model checks: a production secret problem is reported first.
        feeds = self.feeds
        if feeds.openaq_api_key and not feeds.openaq_locations:
            raise ValueError(
                "ENVMON_OPENAQ_API_KEY is set but ENVMON_OPENAQ_LOCATIONS is empty: set the "
                "OpenAQ location ids to collect (comma-separated), or unset the key"
            )
        if feeds.openaq_locations and not feeds.openaq_api_key:
            raise ValueError(
                "ENVMON_OPENAQ_LOCATIONS is set but ENVMON_OPENAQ_API_KEY is not: OpenAQ v3 needs "
                "a key"
            )
        return self

    def flat_values(self, mode: Literal["python", "json"] = "python") -> dict[str, Any]:
        """Every setting by its flat name (``ENVMON_<NAME>`` lower-cased), as Python values or
        JSON values (``mode="json"``; secrets masked); ``Settings(**settings.flat_values())``
        rebuilds an equal ``Settings``."""
        values: dict[str, Any] = {"environment": self.environment}
        for group in GROUPS:
            values.update(getattr(self, group).model_dump(mode=mode))
        return values


def _production_database(database_url: str | None) -> None:
    """Production needs PostgreSQL with a strong password (raises ``ValueError`` naming
    ENVMON_DATABASE_URL)."""
    if not database_url:
        raise ValueError(
            "ENVMON_DATABASE_URL is required in production (PostgreSQL/PostGIS, see README)"
        )
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    password = "" if url.password is None else str(url.password)
    if not password:
        raise ValueError(
            "ENVMON_DATABASE_URL has no password; production needs a database password "
            f"of {MIN_DB_PASSWORD_LENGTH}+ random characters"
        )
    weakness = secret_weakness(password, MIN_DB_PASSWORD_LENGTH)
    if weakness is not None:
        raise ValueError(
            f"ENVMON_DATABASE_URL: the database password {weakness} (needs "
            f"{MIN_DB_PASSWORD_LENGTH}+ random characters)"
        )


#: The groups of ``Settings`` by attribute name, and the group of each flat setting name.
GROUPS: dict[str, type[_Group]] = {
    name: group
    for name, field in Settings.model_fields.items()
    if (group := _group_class(field.annotation)) is not None
}
GROUP_OF: dict[str, str] = {
    field: group_name for group_name, group in GROUPS.items() for field in group.model_fields
}
#: The settings that hold a secret (never logged, never written to the job table).
SECRET_NAMES: frozenset[str] = frozenset(
    name
    for group in GROUPS.values()
    for name, field in group.model_fields.items()
    if SecretStr in (field.annotation, *get_args(field.annotation))
)


def env_names() -> list[str]:
    """Every ``ENVMON_*`` variable ``Settings`` reads."""
    own = [n for n in Settings.model_fields if n not in GROUPS]
    return [f"{ENV_PREFIX}{name.upper()}" for name in [*own, *GROUP_OF]]


def _describe(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error.get("loc", ()) if not str(p).isdigit()]
    if loc and loc[0] in GROUPS:
        loc = loc[1:]  # the variable is named by the field; its group is not part of the name
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if not loc:
        return message
    name = f"{ENV_PREFIX}{loc[0].upper()}"
    shown = error.get("input")
    if "secret" in loc[0] or "key" in loc[0] or "password" in loc[0]:
        shown = "***"
    # A URL may carry a password (ENVMON_DATABASE_URL), malformed or not: never print it.
    return mask_url_password(f"{name}: {message} (got {shown!r})")


def load_settings(**overrides: Any) -> Settings:
    """Build ``Settings`` from the environment (plus ``overrides``); a wrong value raises a
    ``SettingsError`` listing every wrong variable with its rule."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = [mask_url_password(_describe(dict(e))) for e in exc.errors()]
        raise SettingsError("invalid envmon settings:\n  " + "\n  ".join(lines)) from None


__all__ = [
    "ENV_PREFIX",
    "GROUPS",
    "GROUP_OF",
    "INSECURE_SECRETS",
    "MAP_BASEMAPS",
    "SECRET_NAMES",
    "AlertSettings",
    "ArchiveSettings",
    "CollectionSettings",
    "FeedSettings",
    "HttpSettings",
    "LogSettings",
    "MapSettings",
    "SessionSettings",
    "Settings",
    "StoreSettings",
    "SupervisionSettings",
    "SurfaceSettings",
    "ZoneUploadSettings",
    "env_names",
    "SettingsError",
    "load_settings",
    "mask_url_password",
    "secret_bits",
    "secret_weakness",
]
