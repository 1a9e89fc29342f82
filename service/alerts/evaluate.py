"""Wire-up: read the computed figures, run the pure rules, store states, fill the outbox.

``evaluate_now(engine, clock, settings)`` is the one trigger: the scheduler's evaluation job (every
``alert_evaluate_minutes``, whether or not data arrived, so that silence is judged against the clock),
the post-ingest hook, target changes, imports and recomputes call it. ``evaluate_and_enqueue`` runs in
one write transaction so that alert states and the messages they cause are stored together, or not
at all.

``load_figures(engine, now)`` is the adapter from D1's summaries (``service.compute``,
``service.targets``, ``stations.targets``) and the store to the rules' plain ``Figures``. A part whose
source fails is left as ``None``, so the alerts of its rules keep their state instead of resolving.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

import geodata
from service.alerts.payloads import PayloadTooLarge, RenderContext, render
from service.alerts.rules import (
    FOUR_HOURLY,
    HOURLY,
    MONTHLY,
    AirRatio,
    AlertConfig,
    CollectorRun,
    DistrictDay,
    Figures,
    LastSeen,
    SeaRatio,
    SectionClass,
    SilenceLimits,
    WaterRatio,
    ZoneWatch,
)
from service.alerts.signing import new_message_id
from service.alerts.state import Notification, Step, evaluate
from service.clock import Clock
from service.compute import air_summary, water_summary, year_daily_aqi
from service.figures.collection_health import collector_health
from service.figures.demo_data import figures_are_demo
from service.figures.sea import sea_figures
from service.figures.zone_supervision import SupervisionOptions, zone_checks
from service.i18n import MESSAGES
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.alert_inputs import (
    AUTOMATIC,
    district_day_aqi,
    latest_section_classes,
    section_last_seen,
    station_last_seen,
)
from service.store.engine import writing
from service.targets import get_target
from stations.cst import CST
from stations.targets import air_budget

log = logging.getLogger(__name__)

#: District-days looked at by the AQI > 100 rule: today and yesterday (CST).
DAY_WINDOW = 2
#: Earlier years used for the year-end projection.
HISTORY_YEARS = 5


@dataclass(frozen=True, slots=True)
class EnqueueReport:
    """What one evaluation did."""

    transitions: int
    notifications: int
    messages: int
    skipped: tuple[str, ...] = ()


def silence_from_settings(settings: Settings) -> SilenceLimits:
    """The silence limits per source cadence from the ``alert_silent_*`` settings."""
    return SilenceLimits(
        hourly_h=settings.alerts.alert_silent_hourly_hours,
        four_hourly_h=settings.alerts.alert_silent_auto_water_hours,
        monthly_grace_days=settings.alerts.alert_silent_monthly_grace_days,
        zone_monitor_h=settings.supervision.zone_monitor_silent_hours,
    )


def config_from_settings(settings: Settings) -> AlertConfig:
    """Thresholds from ``alert_rules_file`` when set, else the defaults; silence limits from the
    settings. Read at every evaluation, so an edited rules file counts from the next one."""
    silence = silence_from_settings(settings)
    if settings.alerts.alert_rules_file is None:
        return AlertConfig(silence=silence)
    return AlertConfig.from_json(
        settings.alerts.alert_rules_file.read_text(encoding="utf-8"), silence
    )


# ---------------------------------------------------------------------------------- the adapter


@functools.cache
def _district_names() -> dict[str, dict[str, str]]:
    d = geodata.load_districts()
    names = {str(r.code): {"zh": str(r.name), "en": str(r.name_en)} for r in d.itertuples()}
    names["city"] = dict(MESSAGES["alert.city"])
    return names


def _air(engine: Engine, districts: list[str], today: dt.date) -> tuple[AirRatio, ...]:
    year = today.year
    start = dt.date(year, 1, 1)
    out = []
    for d in districts:
        summary = air_summary(engine, d, start, today)
        target = get_target(engine, d, "air", year).value
        daily = year_daily_aqi(engine, d, start, today)
        history = year_daily_aqi(engine, d, dt.date(year - HISTORY_YEARS, 1, 1), start)
        budget = air_budget(daily, year=year, as_of=today, target=target, history=history)
        proj = budget.projection
        out.append(
            AirRatio(
                district=d,
                year=year,
                excellent_good_ratio=summary.ratio,
                numerator=summary.excellent_good_days,
                denominator=summary.valid_days,
                target=float(target),
                budget_days=budget.budget if summary.valid_days else None,
                projected_ratio=None if proj is None else proj.value,
                projected_low=None if proj is None else proj.low,
                projected_high=None if proj is None else proj.high,
            )
        )
    return tuple(out)


def _water(engine: Engine, districts: list[str], today: dt.date) -> tuple[WaterRatio, ...]:
    year = today.year
    ratios = []
    for d in districts:
        summary = water_summary(engine, d, str(year))
        ratios.append(
            WaterRatio(
                district=d,
                year=year,
                class_iii_ratio=summary.ratio,
                numerator=summary.at_or_better_than_iii,
                denominator=summary.evaluated,
                target=float(get_target(engine, d, "water", year).value),
            )
        )
    return tuple(ratios)


def _sea(engine: Engine, districts: list[str], today: dt.date) -> tuple[SeaRatio, ...]:
    """Each district's and the city's seawater 优良比例 of the year so far (by points)."""

    year = today.year
    figures = sea_figures(engine, str(year))
    by_code = {r.code: r for r in (*figures.districts, figures.city)}
    out = []
    for d in districts:
        r = by_code.get(d)
        if r is None or r.target is None:
            continue
        out.append(
            SeaRatio(
                district=d,
                year=year,
                good_ratio=r.by_points.value,
                numerator=r.by_points.numerator,
                denominator=r.by_points.denominator,
                target=r.target,
            )
        )
    return tuple(out)


def _sections(conn: Connection, today: dt.date) -> tuple[SectionClass, ...]:
    """Each section's class in its latest evaluated month (on 7 December: November's)."""
    return tuple(
        SectionClass(
            section=s.code,
            district=s.district,
            water_class=s.cls,
            deciding_items=s.deciding,
            name=s.name,
            period=s.period,
        )
        for s in latest_section_classes(conn, today.strftime("%Y-%m"))
    )


def _days(conn: Connection, today: dt.date) -> tuple[DistrictDay, ...]:
    first = today - dt.timedelta(days=DAY_WINDOW - 1)
    rows = district_day_aqi(conn, first, today)
    return tuple(
        DistrictDay(
            district=r["district"],
            day=r["day"],
            aqi=r["aqi"],
            primary_pollutant=",".join(r["primary_pollutants"] or []) or None,
        )
        for r in rows
    )


def _last_seen(conn: Connection) -> tuple[LastSeen, ...]:
    """Air stations (hourly), and sections that were sampled: lab samples (monthly) and automatic
    station values (4-hourly) judged apart."""
    out = [
        LastSeen("station", p.code, p.district, p.last, p.name, HOURLY)
        for p in station_last_seen(conn)
    ]
    for p in section_last_seen(conn):
        auto = p.method == AUTOMATIC
        kind, cadence = ("water_auto", FOUR_HOURLY) if auto else ("section", MONTHLY)
        out.append(LastSeen(kind, p.code, p.district, p.last, p.name, cadence))
    return tuple(out)


def _collectors(engine: Engine) -> tuple[CollectorRun, ...]:
    """The newest finished run of every collector (``service.figures.collection_health``)."""

    return tuple(
        CollectorRun(
            collector=c.collector,
            status=c.status,
            accepted=c.accepted,
            quarantined=c.quarantined,
            finished_at=c.finished_at,
            error=c.error,
        )
        for c in collector_health(engine)
    )


def _zones(engine: Engine, now: dt.datetime, settings: Settings) -> tuple[ZoneWatch, ...]:
    """The zones with monitors, their worst exceedance, rises and monitors' last data
    (``service.figures.zone_supervision``), with the rise limits of the settings."""

    options = SupervisionOptions.from_settings(settings)
    limits = options.rise_limits
    return tuple(
        ZoneWatch(
            zone=c.zone,
            name=c.name,
            kind=c.kind,
            district=c.district,
            worst=c.worst,
            window_h=options.window_h,
            rises={p: (*v, limits[p]) for p, v in c.rises.items() if p in limits},
            last_seen=c.last_seen,
        )
        for c in zone_checks(engine, now, options)
    )


def load_figures(engine: Engine, now: dt.datetime, settings: Settings | None = None) -> Figures:
    """The figures the rules look at, as of ``now`` (CST calendar for days and years)."""
    today = now.astimezone(CST).date()
    names: dict[str, dict[str, str]] = {}
    try:
        names = dict(_district_names())
        districts = [*sorted(k for k in names if k != "city"), "city"]
    except Exception:  # geodata unavailable: rules fall back to codes
        log.exception("alerts: district names unavailable")
        districts = ["city"]
    parts: dict[str, Any] = {}
    try:
        parts["air"] = _air(engine, districts, today)
    except Exception:
        log.exception("alerts: air figures unavailable; air ratio rules skipped")
    try:
        parts["water"] = _water(engine, districts, today)
    except Exception:
        log.exception("alerts: water figures unavailable; class III ratio rule skipped")
    try:
        parts["sea"] = _sea(engine, districts, today)
    except Exception:
        log.exception("alerts: seawater figures unavailable; sea ratio rule skipped")
    with engine.connect() as conn:
        try:
            parts["sections"] = _sections(conn, today)
        except Exception:
            log.exception("alerts: section classes unavailable; section class rule skipped")
        try:
            parts["days"] = _days(conn, today)
        except Exception:
            log.exception("alerts: district days unavailable; AQI > 100 rule skipped")
        try:
            parts["last_seen"] = _last_seen(conn)
        except Exception:
            log.exception("alerts: last-seen times unavailable; silence rule skipped")
    try:
        parts["collectors"] = _collectors(engine)
    except Exception:
        log.exception("alerts: collector runs unavailable; degraded-collection rule skipped")
    try:
        parts["zones"] = _zones(engine, now, settings or Settings())
    except Exception:
        log.exception("alerts: zone figures unavailable; zone rules skipped")
    return Figures(district_names=names, **parts)


# ---------------------------------------------------------------------------------- enqueueing


def render_context(
    sub: repo.Subscription,
    now: dt.datetime,
    settings: Settings,
    district_names: Mapping[str, Mapping[str, str]] | None,
    demo: bool,
) -> RenderContext:
    """What a body for ``sub`` needs besides its notification."""
    return RenderContext(
        created_at=now,
        lang=sub.lang,
        receiver=sub.name,
        external_url=settings.alerts.alert_external_url,
        district_names=district_names,
        demo=demo,
    )


def enqueue(
    conn: Connection,
    notifications: tuple[Notification, ...],
    subscriptions: list[repo.Subscription],
    now: dt.datetime,
    *,
    settings: Settings,
    district_names: Mapping[str, Mapping[str, str]] | None = None,
    demo: bool = False,
) -> int:
    """One outbox message per notification and subscription that wants it; returns the count."""
    count = 0
    retry_for = dt.timedelta(hours=settings.alerts.webhook_retry_hours)
    for n in notifications:
        for sub in subscriptions:
            if not sub.wants(n.rule, n.district):
                continue
            ctx = render_context(sub, now, settings, district_names, demo)
            try:
                body = render(n, sub.format, ctx, settings.alerts.webhook_max_payload_bytes)
            except PayloadTooLarge:
                log.error("alerts: %s does not fit subscription %s", n.group_key, sub.id)
                continue
            repo.add_message(
                conn,
                msg_id=new_message_id(),
                sub_id=sub.id,
                group=n.group_key,
                body=body,
                now=now,
                retry_for=retry_for,
            )
            count += 1
    return count


def district_names_or_codes() -> Mapping[str, Mapping[str, str]]:
    """The district names (zh, en) by code; empty when geodata cannot be read (codes are shown)."""
    try:
        return _district_names()
    except Exception:
        log.exception("alerts: district names unavailable")
        return {}


def demo_or_false(engine: Engine) -> bool:
    """Whether the store's figures are demo figures (``service.figures.demo_data``); False when the
    store cannot say (the flag must never break an evaluation)."""

    try:
        return figures_are_demo(engine)
    except Exception:
        log.exception("alerts: cannot tell whether the figures are demo figures")
        return False


def evaluate_and_enqueue(
    engine: Engine,
    clock: Clock,
    *_: Any,
    settings: Settings | None = None,
    config: AlertConfig | None = None,
    figures: Figures | None = None,
    **__: Any,
) -> EnqueueReport:
    """Ingest hook: figures -> rules -> states + outbox, in one transaction."""
    settings = settings or Settings()
    config = config or config_from_settings(settings)
    now = clock.now()
    figures = figures if figures is not None else load_figures(engine, now, settings)
    names = figures.district_names or district_names_or_codes()
    demo = demo_or_false(engine)
    with writing(engine) as conn:
        repo.lock_alerts(conn)
        previous = repo.load_states(conn)
        step: Step = evaluate(figures, config, previous, now)
        repo.save_states(conn, step.states, previous, now)
        subs = repo.enabled_subscriptions(conn) if step.notifications else []
        messages = enqueue(
            conn,
            step.notifications,
            subs,
            now,
            settings=settings,
            district_names=names,
            demo=demo,
        )
    parts = ("air", "water", "sea", "days", "sections", "last_seen", "collectors", "zones")
    skipped = tuple(sorted(k for k in parts if getattr(figures, k) is None))
    return EnqueueReport(len(step.transitions), len(step.notifications), messages, skipped)


def evaluate_now(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    *,
    config: AlertConfig | None = None,
) -> EnqueueReport:
    """Evaluate every alert rule now and queue what it causes: THE "evaluate now" trigger.

    Call it after anything that changes what the rules see: a target or rule change, an import,
    a recompute (``service.compute``), a collector run. It reads the figures from the store, so it
    needs no argument about what changed; it never raises (a failure is logged and reported as an
    empty report). The queued messages are sent by the delivery job (``service.jobs``, which
    also offers ``evaluate_and_nudge`` to send them at once).
    """
    try:
        return evaluate_and_enqueue(engine, clock, settings=settings, config=config)
    except Exception:
        log.exception("alerts: evaluation failed")
        return EnqueueReport(0, 0, 0, ("all",))
