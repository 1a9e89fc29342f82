"""Alert rules: pure functions from computed figures and thresholds to signals.

A rule never reads the clock, the settings or the store: ``now`` and the figures come in as arguments.
Each rule yields one ``Signal`` per thing it watches (a district, a district-day, a section, a station),
with two conditions: ``fire`` (start firing) and ``hold`` (stay firing). ``hold`` is looser than
``fire`` by the rule's resolve margin, which is the hysteresis that keeps a ratio hovering at its
target from flapping (fire below 97 %, resolve only at 97 % + margin). ``state.advance`` turns signals
into the firing/resolved life cycle.

Ratios are fractions in [0, 1]; AQI is dimensionless (HJ 633); silence is in hours.

Silence is judged per source cadence (``Cadence``): hourly air stations and 4-hourly automatic water
stations by hours without data; monthly lab sections by whether the sample of the month after the
last sampled one is overdue past that month's end plus a grace period (``SilenceLimits``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol, TypeVar

from stations.cst import CST

#: Rule names; they are the ``alertname`` label and part of every fingerprint (never rename).
EXCELLENT_GOOD_RATIO = "excellent_good_ratio_below_target"
BUDGET_EXHAUSTED = "budget_exhausted"
PROJECTED_RATIO = "projected_ratio_below_target"
POLLUTED_DAY = "polluted_day"
SECTION_WORSE_THAN_III = "section_worse_than_class_iii"
CLASS_III_RATIO = "class_iii_ratio_below_target"
SEA_GOOD_RATIO = "sea_good_ratio_below_target"
SILENT = "silent"
COLLECTOR_DEGRADED = "collector_degraded"
ZONE_LIMIT_EXCEEDED = "zone_limit_exceeded"
ZONE_RISE = "zone_rise_over_background"
ZONE_MONITOR_SILENT = "zone_monitor_silent"

RULE_NAMES: Final = (
    EXCELLENT_GOOD_RATIO,
    BUDGET_EXHAUSTED,
    PROJECTED_RATIO,
    POLLUTED_DAY,
    SECTION_WORSE_THAN_III,
    CLASS_III_RATIO,
    SEA_GOOD_RATIO,
    SILENT,
    COLLECTOR_DEGRADED,
    ZONE_LIMIT_EXCEEDED,
    ZONE_RISE,
    ZONE_MONITOR_SILENT,
)

#: Which zone rules watch which zone kind (``geodata.ZONE_KINDS``); other kinds get ``ZONE_DEFAULT``.
#: The limit rule only fires where a limit applies (``stations.standards.fugitive``: by siting and
#: zone kind); the rise rule compares ports, anchorages, bunkering positions and yards with the
#: background; every zone's monitors are watched for silence.
ZONE_KIND_RULES: Final[Mapping[str, tuple[str, ...]]] = {
    "ship_repair_yard": (ZONE_LIMIT_EXCEEDED, ZONE_RISE, ZONE_MONITOR_SILENT),
    "port_area": (ZONE_LIMIT_EXCEEDED, ZONE_RISE, ZONE_MONITOR_SILENT),
    "anchorage": (ZONE_RISE, ZONE_MONITOR_SILENT),
    "bunkering": (ZONE_RISE, ZONE_MONITOR_SILENT),
}
ZONE_DEFAULT: Final = (ZONE_LIMIT_EXCEEDED, ZONE_MONITOR_SILENT)

#: GB 3838-2002 classes in order; "V+" is 劣Ⅴ.
WATER_CLASSES: Final = ("I", "II", "III", "IV", "V", "V+")

#: The code under which city-wide figures are kept beside district codes (as in service.targets).
CITY = "city"

#: Source cadences the silence rule knows (``LastSeen.cadence``).
HOURLY = "hourly"  # air stations (HJ 818 / national release: a value every hour)
FOUR_HOURLY = "four_hourly"  # automatic water stations (国家地表水自动站: every 4 hours)
MONTHLY = "monthly"  # manual lab sampling of sections (once a month)
CADENCES: Final = (HOURLY, FOUR_HOURLY, MONTHLY)


# --------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class AirRatio:
    """Year-to-date 优良天数比例 of a district (or the city) with its target, budget and projection."""

    district: str
    year: int
    excellent_good_ratio: float | None
    numerator: int
    denominator: int
    target: float
    budget_days: int | None = None
    projected_ratio: float | None = None
    projected_low: float | None = None
    projected_high: float | None = None


@dataclass(frozen=True, slots=True)
class WaterRatio:
    """Year-to-date 达到或优于Ⅲ类水质比例 of a district (or the city) with its target."""

    district: str
    year: int
    class_iii_ratio: float | None
    numerator: int
    denominator: int
    target: float


@dataclass(frozen=True, slots=True)
class SeaRatio:
    """Year-to-date 近岸海域优良（一、二类）水质比例 (by points) of a district or the city."""

    district: str
    year: int
    good_ratio: float | None
    numerator: int
    denominator: int
    target: float


@dataclass(frozen=True, slots=True)
class DistrictDay:
    """A district's daily AQI (HJ 633) on a natural CST day, with its primary pollutant."""

    district: str
    day: dt.date
    aqi: int | None
    primary_pollutant: str | None = None


@dataclass(frozen=True, slots=True)
class SectionClass:
    """A section's latest water class (GB 3838) and the items that decided it.

    ``period`` is the month (``YYYY-MM``, CST) the class was evaluated for: the latest month with a
    class, whatever the current month is.
    """

    section: str
    district: str
    water_class: str | None
    time: dt.datetime | None = None
    deciding_items: tuple[str, ...] = ()
    name: str | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class LastSeen:
    """When a station (air) or section (water) last delivered data; ``None`` for never.

    ``kind`` is ``station`` (air), ``section`` (manual lab samples) or ``water_auto`` (an automatic
    water station at a section); ``cadence`` is how often that source delivers (``CADENCES``).
    """

    kind: str  # "station" | "section" | "water_auto"
    code: str
    district: str
    last_time: dt.datetime | None
    name: str | None = None
    cadence: str = HOURLY


@dataclass(frozen=True, slots=True)
class CollectorRun:
    """The newest finished run of a collector: ``status`` ``ok``, ``degraded`` (completed, most rows
    quarantined) or ``failed``; rows accepted and quarantined."""

    collector: str
    status: str
    accepted: int = 0
    quarantined: int = 0
    finished_at: dt.datetime | None = None
    error: str | None = None
    district: str = CITY  # collection is city-wide


@dataclass(frozen=True, slots=True)
class ZoneWatch:
    """A harbour zone with monitors, as the zone rules see it (``service.figures.zone_supervision``).

    ``worst``: the monitor-hour in the window furthest above its limit (monitor, parameter, value,
    threshold, unit, limit key, standard, clause, time, hours), or None; ``rises``: parameter ->
    (zone mean, background mean, rise, rise limit) over the window; ``last_seen``: monitor code ->
    (name, end of its latest hour or None).
    """

    zone: str
    name: str
    kind: str
    district: str
    worst: Mapping[str, Any] | None = None
    window_h: float = 3.0
    rises: Mapping[str, tuple[float, float, float, float]] = field(default_factory=dict)
    last_seen: Mapping[str, tuple[str, dt.datetime | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the rules look at, as plain values.

    A field left as ``None`` was not supplied (its rules are skipped and their alerts keep their
    state); an empty tuple was supplied and holds nothing (alerts of its rules resolve).
    """

    air: tuple[AirRatio, ...] | None = None
    water: tuple[WaterRatio, ...] | None = None
    sea: tuple[SeaRatio, ...] | None = None
    days: tuple[DistrictDay, ...] | None = None
    sections: tuple[SectionClass, ...] | None = None
    last_seen: tuple[LastSeen, ...] | None = None
    collectors: tuple[CollectorRun, ...] | None = None
    zones: tuple[ZoneWatch, ...] | None = None
    district_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def supplied_rules(self) -> frozenset[str]:
        """Rules whose inputs are present in these figures."""
        out: set[str] = set()
        if self.air is not None:
            out |= {EXCELLENT_GOOD_RATIO, BUDGET_EXHAUSTED, PROJECTED_RATIO}
        if self.water is not None:
            out.add(CLASS_III_RATIO)
        if self.sea is not None:
            out.add(SEA_GOOD_RATIO)
        if self.days is not None:
            out.add(POLLUTED_DAY)
        if self.sections is not None:
            out.add(SECTION_WORSE_THAN_III)
        if self.last_seen is not None:
            out.add(SILENT)
        if self.collectors is not None:
            out.add(COLLECTOR_DEGRADED)
        if self.zones is not None:
            out |= {ZONE_LIMIT_EXCEEDED, ZONE_RISE, ZONE_MONITOR_SILENT}
        return frozenset(out)


# --------------------------------------------------------------------------------------- config


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """Thresholds of one rule (for one district, or the default).

    ``threshold`` replaces the target for ratio rules when set (``None``: use the figures' target);
    for the other rules it is the limit itself. ``fire_margin`` moves the firing point further into
    the bad side; ``resolve_margin`` is the hysteresis band on the good side.
    """

    enabled: bool = True
    threshold: float | None = None
    fire_margin: float = 0.0
    resolve_margin: float = 0.0
    repeat_interval_h: float = 24.0
    severity: str = "warning"


@dataclass(frozen=True, slots=True)
class SilenceLimits:
    """How long each source cadence may go without data before ``silent`` fires.

    ``hourly_h`` and ``four_hourly_h`` are hours since the last value; a lab section is silent when
    the month after its last sampled month (CST) has ended and ``monthly_grace_days`` more have
    passed without a sample (lab results arrive days after sampling). A ``silent.threshold`` in the
    rules file replaces ``hourly_h`` for its district(s).
    """

    hourly_h: float = 6.0
    four_hourly_h: float = 12.0  # three missed 4-hourly values
    monthly_grace_days: float = 15.0
    zone_monitor_h: float = 6.0  # a yard or port monitor (zone_monitor_silent)


#: Defaults per rule. Ratio margins are fractions (0.005 = 0.5 percentage points).
DEFAULT_RULES: Final[Mapping[str, RuleConfig]] = {
    EXCELLENT_GOOD_RATIO: RuleConfig(resolve_margin=0.005, severity="critical"),
    BUDGET_EXHAUSTED: RuleConfig(threshold=0.0, resolve_margin=1.0, severity="critical"),
    PROJECTED_RATIO: RuleConfig(resolve_margin=0.005, severity="warning"),
    POLLUTED_DAY: RuleConfig(threshold=100.0, severity="warning"),
    SECTION_WORSE_THAN_III: RuleConfig(threshold=3.0, severity="warning"),
    CLASS_III_RATIO: RuleConfig(resolve_margin=0.005, severity="critical"),
    SEA_GOOD_RATIO: RuleConfig(resolve_margin=0.005, severity="warning"),
    # threshold None: the cadence's limit (SilenceLimits); a rules-file threshold is the hourly one.
    SILENT: RuleConfig(resolve_margin=0.0, repeat_interval_h=12.0),
    COLLECTOR_DEGRADED: RuleConfig(repeat_interval_h=12.0, severity="critical"),
    # Limits and rise limits come with the figures (standards as data, ENVMON_ZONE_RISE_LIMITS).
    ZONE_LIMIT_EXCEEDED: RuleConfig(repeat_interval_h=12.0, severity="critical"),
    ZONE_RISE: RuleConfig(repeat_interval_h=12.0, severity="warning"),
    ZONE_MONITOR_SILENT: RuleConfig(repeat_interval_h=12.0, severity="warning"),
}


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """Thresholds per rule, with overrides per district (data; ``from_mapping`` reads JSON)."""

    defaults: Mapping[str, RuleConfig] = field(default_factory=lambda: dict(DEFAULT_RULES))
    districts: Mapping[str, Mapping[str, RuleConfig]] = field(default_factory=dict)
    silence: SilenceLimits = field(default_factory=SilenceLimits)

    def for_rule(self, rule: str, district: str) -> RuleConfig:
        """The configuration of ``rule`` for ``district`` (district override, else default)."""
        override = self.districts.get(district, {}).get(rule)
        if override is not None:
            return override
        return self.defaults.get(rule, DEFAULT_RULES[rule])

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], silence: SilenceLimits | None = None
    ) -> AlertConfig:
        """Build from ``{"defaults": {rule: {...}}, "districts": {code: {rule: {...}}}}``.

        Fields left out fall back to the built-in default of that rule; unknown rules are refused.
        """
        defaults = dict(DEFAULT_RULES)
        for rule, values in (data.get("defaults") or {}).items():
            _known(rule)
            defaults[rule] = replace(DEFAULT_RULES[rule], **values)
        districts: dict[str, dict[str, RuleConfig]] = {}
        for district, rules in (data.get("districts") or {}).items():
            for rule, values in rules.items():
                _known(rule)
                districts.setdefault(str(district), {})[rule] = replace(defaults[rule], **values)
        return cls(defaults=defaults, districts=districts, silence=silence or SilenceLimits())

    @classmethod
    def from_json(cls, text: str, silence: SilenceLimits | None = None) -> AlertConfig:
        """Build from a JSON document (see ``from_mapping``)."""
        return cls.from_mapping(json.loads(text), silence)


def _known(rule: str) -> None:
    if rule not in RULE_NAMES:
        raise ValueError(f"unknown alert rule {rule!r}; known: {', '.join(RULE_NAMES)}")


# --------------------------------------------------------------------------------------- signals


@dataclass(frozen=True, slots=True)
class Signal:
    """One watched thing's condition at evaluation time.

    ``labels`` identify the alert (``alertname`` and ``district`` always); ``params`` carry the
    figures shown in the text (value, target, day, primary pollutant ...).
    """

    labels: Mapping[str, str]
    fire: bool
    hold: bool
    value: float | None
    threshold: float | None
    severity: str
    repeat_interval_h: float
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        """The rule's name (the ``alertname`` label)."""
        return self.labels["alertname"]


def _below(value: float | None, limit: float, cfg: RuleConfig) -> tuple[bool, bool]:  # (fire, hold)
    """A value that is bad when low: fire below ``limit - fire_margin``, hold below ``limit + resolve_margin``.

    An unknown value neither starts nor ends an alert.
    """
    if value is None:
        return False, True
    return value < limit - cfg.fire_margin, value < limit + cfg.resolve_margin


def _above(value: float | None, limit: float, cfg: RuleConfig) -> tuple[bool, bool]:
    """A value that is bad when high: fire above ``limit + fire_margin``, hold above ``limit - resolve_margin``."""
    if value is None:
        return False, True
    return value > limit + cfg.fire_margin, value > limit - cfg.resolve_margin


def _signal(
    rule: str,
    cfg: RuleConfig,
    labels: Mapping[str, str],
    flags: tuple[bool, bool],
    value: float | None,
    threshold: float | None,
    *,
    resolve_at: float | None = None,
    **params: Any,
) -> Signal:
    """A signal; ``resolve_at`` (the far edge of the hysteresis band, when there is one) goes into
    the params, so that a message can say why an alert still fires on the good side of its limit."""
    if resolve_at is not None and resolve_at != threshold:
        params["resolve_at"] = resolve_at
    return Signal(
        labels={"alertname": rule, **labels},
        fire=flags[0],
        hold=flags[1],
        value=value,
        threshold=threshold,
        severity=cfg.severity,
        repeat_interval_h=cfg.repeat_interval_h,
        params=params,
    )


class _Watched(Protocol):
    @property
    def district(self) -> str: ...


_W = TypeVar("_W", bound=_Watched)


def _enabled(
    rule: str, items: Iterable[_W] | None, config: AlertConfig
) -> Iterator[tuple[_W, RuleConfig]]:
    """Each watched item whose district has ``rule`` enabled, with that district's configuration."""
    for item in items or ():
        cfg = config.for_rule(rule, item.district)
        if cfg.enabled:
            yield item, cfg


def _limit(cfg: RuleConfig, default: float) -> float:
    """The configured threshold, else ``default`` (a ratio's target, or the rule's built-in limit)."""
    return default if cfg.threshold is None else cfg.threshold


def _default_limit(rule: str) -> float:
    """The built-in limit of a rule that is not a ratio (its threshold in ``DEFAULT_RULES``)."""
    limit = DEFAULT_RULES[rule].threshold
    assert limit is not None, rule
    return limit


def _ratio_signal(
    rule: str,
    cfg: RuleConfig,
    r: AirRatio | WaterRatio | SeaRatio,
    value: float | None,
    **params: Any,
) -> Signal:
    """A year-to-date ratio (or its projection) ``value`` below the district's target."""
    limit = _limit(cfg, r.target)
    return _signal(
        rule,
        cfg,
        {"district": r.district},
        _below(value, limit, cfg),
        value,
        limit,
        resolve_at=limit + cfg.resolve_margin,
        year=r.year,
        **params,
    )


def excellent_good_ratio_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """YTD 优良天数比例 below its target."""
    for r, cfg in _enabled(EXCELLENT_GOOD_RATIO, figures.air, config):
        yield _ratio_signal(
            EXCELLENT_GOOD_RATIO,
            cfg,
            r,
            r.excellent_good_ratio,
            numerator=r.numerator,
            denominator=r.denominator,
        )


def budget_exhausted_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """The target budget (days that are not excellent/good the year can still absorb) is used up."""
    for r, cfg in _enabled(BUDGET_EXHAUSTED, figures.air, config):
        limit = _limit(cfg, _default_limit(BUDGET_EXHAUSTED))
        value = None if r.budget_days is None else float(r.budget_days)
        if value is None:
            flags = (False, True)
        else:
            # Fires AT the limit (0 days left is exhausted), unlike ``_above``/``_below``.
            flags = (value <= limit - cfg.fire_margin, value < limit + cfg.resolve_margin)
        yield _signal(
            BUDGET_EXHAUSTED,
            cfg,
            {"district": r.district},
            flags,
            value,
            limit,
            resolve_at=limit + cfg.resolve_margin,
            year=r.year,
            target=r.target,
        )


def projected_ratio_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """The projected year-end 优良天数比例 (point estimate) below its target."""
    for r, cfg in _enabled(PROJECTED_RATIO, figures.air, config):
        yield _ratio_signal(
            PROJECTED_RATIO, cfg, r, r.projected_ratio, low=r.projected_low, high=r.projected_high
        )


def polluted_day_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """A district day with AQI above 100 (HJ 633 level 3 or worse), with its primary pollutant."""
    for d, cfg in _enabled(POLLUTED_DAY, figures.days, config):
        limit = _limit(cfg, _default_limit(POLLUTED_DAY))
        value = None if d.aqi is None else float(d.aqi)
        yield _signal(
            POLLUTED_DAY,
            cfg,
            {"district": d.district, "day": d.day.isoformat()},
            _above(value, limit, cfg),
            value,
            limit,
            resolve_at=limit - cfg.resolve_margin,
            primary_pollutant=d.primary_pollutant or "",
        )


def section_class_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """A section whose water class is worse than Ⅲ (Ⅳ, Ⅴ or 劣Ⅴ)."""
    for s, cfg in _enabled(SECTION_WORSE_THAN_III, figures.sections, config):
        limit = _limit(cfg, _default_limit(SECTION_WORSE_THAN_III))
        value = (
            float(WATER_CLASSES.index(s.water_class) + 1)
            if s.water_class in WATER_CLASSES
            else None
        )
        yield _signal(
            SECTION_WORSE_THAN_III,
            cfg,
            {"district": s.district, "section": s.section},
            _above(value, limit, cfg),
            value,
            limit,
            resolve_at=limit - cfg.resolve_margin,
            water_class=s.water_class or "",
            deciding_items=", ".join(s.deciding_items),
            name=s.name or s.section,
            period=s.period or "",
        )


def class_iii_ratio_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """YTD 达到或优于Ⅲ类水质比例 below its target."""
    for r, cfg in _enabled(CLASS_III_RATIO, figures.water, config):
        yield _ratio_signal(
            CLASS_III_RATIO,
            cfg,
            r,
            r.class_iii_ratio,
            numerator=r.numerator,
            denominator=r.denominator,
        )


def sea_good_ratio_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """YTD 近岸海域优良（一、二类）水质比例 (by points) below its target."""
    for r, cfg in _enabled(SEA_GOOD_RATIO, figures.sea, config):
        yield _ratio_signal(
            SEA_GOOD_RATIO,
            cfg,
            r,
            r.good_ratio,
            numerator=r.numerator,
            denominator=r.denominator,
        )


def month_after_next_start(t: dt.datetime) -> dt.datetime:
    """The first instant (CST) of the second calendar month after ``t``'s CST month, as UTC.

    A section last sampled in November owes a December sample: the deadline before the grace
    period is 1 January 00:00 CST.
    """
    local = t.astimezone(CST)
    months = local.year * 12 + (local.month - 1) + 2
    return dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=CST).astimezone(dt.UTC)


def silence_deadline(
    last_time: dt.datetime, cadence: str, hours_limit: float, limits: SilenceLimits
) -> dt.datetime:
    """When a source last seen at ``last_time`` becomes silent (strictly after this instant)."""
    if cadence == MONTHLY:
        grace = dt.timedelta(days=limits.monthly_grace_days)
        return month_after_next_start(last_time) + grace
    return last_time + dt.timedelta(hours=hours_limit)


def _hours_limit(cadence: str, cfg: RuleConfig, limits: SilenceLimits) -> float:
    """The hours a source of ``cadence`` may be quiet (a rules-file threshold is the hourly one)."""
    if cadence == FOUR_HOURLY:
        return limits.four_hourly_h
    return limits.hourly_h if cfg.threshold is None else cfg.threshold


def silent_rule(figures: Figures, config: AlertConfig, now: dt.datetime) -> Iterator[Signal]:
    """A station or section that has delivered nothing for longer than its cadence allows.

    ``value`` is the hours since the last data; ``threshold`` the hours allowed after it (for a
    monthly section: until its overdue month's end plus the grace period, ``params.due_by``).
    """
    for s, cfg in _enabled(SILENT, figures.last_seen, config):
        hours_limit = _hours_limit(s.cadence, cfg, config.silence)
        params: dict[str, Any] = {"cadence": s.cadence}
        if s.last_time is None:
            hours: float | None = None
            limit = hours_limit
            flags = (True, True)  # never seen at all: silent by definition
        else:
            due_by = silence_deadline(s.last_time, s.cadence, hours_limit, config.silence)
            hours = (now - s.last_time).total_seconds() / 3600.0
            limit = (due_by - s.last_time).total_seconds() / 3600.0
            flags = (now > due_by, now > due_by)
            if s.cadence == MONTHLY:
                owed = month_after_next_start(s.last_time).astimezone(CST) - dt.timedelta(days=1)
                params["due_month"] = owed.strftime("%Y-%m")  # the month whose sample is owed
                params["due_by"] = due_by.isoformat()
        yield _signal(
            SILENT,
            cfg,
            {"district": s.district, "kind": s.kind, "code": s.code},
            flags,
            None if hours is None else round(hours, 2),
            round(limit, 2),
            name=s.name or s.code,
            last_time=None if s.last_time is None else s.last_time.isoformat(),
            **params,
        )


def collector_degraded_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """A collector whose newest run was ``degraded``: it completed but quarantined most rows (the
    upstream changed its format, names unknown sections...). It resolves at the next ``ok`` run; a
    ``failed`` run tells nothing about the rows, so the alert holds.

    ``value`` is the share of rows quarantined (0..1).
    """
    for run, cfg in _enabled(COLLECTOR_DEGRADED, figures.collectors, config):
        total = run.accepted + run.quarantined
        share = run.quarantined / total if total else None
        yield _signal(
            COLLECTOR_DEGRADED,
            cfg,
            {"district": run.district, "collector": run.collector},
            (run.status == "degraded", run.status != "ok"),
            None if share is None else round(share, 4),
            None,
            collector=run.collector,
            accepted=run.accepted,
            quarantined=run.quarantined,
            finished_at=None if run.finished_at is None else run.finished_at.isoformat(),
            error=run.error or "",
        )


def _zone_rule_on(rule: str, w: ZoneWatch) -> bool:
    return rule in ZONE_KIND_RULES.get(w.kind, ZONE_DEFAULT)


def zone_limit_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """A zone one of whose monitors was above a fugitive-emission limit within the window: ONE
    alert per zone (the worst monitor-hour in its text); it resolves when the window holds none."""
    for w, cfg in _enabled(ZONE_LIMIT_EXCEEDED, figures.zones, config):
        if not _zone_rule_on(ZONE_LIMIT_EXCEEDED, w):
            continue
        worst = dict(w.worst or {})
        firing = w.worst is not None
        yield _signal(
            ZONE_LIMIT_EXCEEDED,
            cfg,
            {"district": w.district, "zone": w.zone},
            (firing, firing),
            worst.get("value"),
            worst.get("threshold"),
            zone_name=w.name,
            zone_kind=w.kind,
            window_h=f"{w.window_h:g}",
            **{k: v for k, v in worst.items() if k not in ("value", "threshold")},
        )


def zone_rise_rule(figures: Figures, config: AlertConfig) -> Iterator[Signal]:
    """A zone whose monitors' window mean of a parameter exceeds the background's by more than
    that parameter's rise limit; one alert per zone and parameter. ``value`` is the rise."""
    for w, cfg in _enabled(ZONE_RISE, figures.zones, config):
        if not _zone_rule_on(ZONE_RISE, w):
            continue
        for parameter, (zone_mean, background_mean, rise, limit) in sorted(w.rises.items()):
            yield _signal(
                ZONE_RISE,
                cfg,
                {"district": w.district, "zone": w.zone, "parameter": parameter},
                _above(rise, limit, cfg),
                round(rise, 3),
                limit,
                zone_name=w.name,
                parameter=parameter,
                zone_mean=round(zone_mean, 3),
                background_mean=round(background_mean, 3),
            )


def zone_silent_rule(figures: Figures, config: AlertConfig, now: dt.datetime) -> Iterator[Signal]:
    """A zone monitor that has delivered nothing for longer than ``SilenceLimits.zone_monitor_h``."""
    for w, cfg in _enabled(ZONE_MONITOR_SILENT, figures.zones, config):
        if not _zone_rule_on(ZONE_MONITOR_SILENT, w):
            continue
        limit = config.silence.zone_monitor_h if cfg.threshold is None else cfg.threshold
        for code, (name, last) in sorted(w.last_seen.items()):
            hours = None if last is None else (now - last).total_seconds() / 3600.0
            silent = hours is None or hours > limit
            yield _signal(
                ZONE_MONITOR_SILENT,
                cfg,
                {"district": w.district, "zone": w.zone, "code": code},
                (silent, silent),
                None if hours is None else round(hours, 2),
                limit,
                zone_name=w.name,
                name=name,
                last_time=None if last is None else last.isoformat(),
            )


RuleFn = Callable[[Figures, AlertConfig], Iterator[Signal]]

RULES: Final[Mapping[str, RuleFn]] = {
    EXCELLENT_GOOD_RATIO: excellent_good_ratio_rule,
    BUDGET_EXHAUSTED: budget_exhausted_rule,
    PROJECTED_RATIO: projected_ratio_rule,
    POLLUTED_DAY: polluted_day_rule,
    SECTION_WORSE_THAN_III: section_class_rule,
    CLASS_III_RATIO: class_iii_ratio_rule,
    SEA_GOOD_RATIO: sea_good_ratio_rule,
    COLLECTOR_DEGRADED: collector_degraded_rule,
    ZONE_LIMIT_EXCEEDED: zone_limit_rule,
    ZONE_RISE: zone_rise_rule,
}


def signals(figures: Figures, config: AlertConfig, now: dt.datetime) -> list[Signal]:
    """Every rule's signals for ``figures`` at ``now`` (pure)."""
    out: list[Signal] = []
    for fn in RULES.values():
        out.extend(fn(figures, config))
    out.extend(silent_rule(figures, config, now))
    out.extend(zone_silent_rule(figures, config, now))
    return out
