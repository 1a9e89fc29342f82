"""Wire-up: read the computed figures, run the pure rules, store states, fill the outbox.

``evaluate_and_enqueue(engine, clock)`` is an ingest hook (same signature as
``service.compute.ingest_hook``; register it after that one). It runs in one write transaction so that
alert states and the messages they cause are stored together, or not at all.

``load_figures(engine, now)`` is the adapter from D1's summaries (``service.compute``,
``service.targets``, ``stations.targets``) and the store to the rules' plain ``Figures``. A part whose
source fails is left as ``None``, so the alerts of its rules keep their state instead of resolving.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

from service.alerts import repo
from service.alerts.payloads import PayloadTooLarge, RenderContext, render
from service.alerts.rules import (
    AirRatio,
    AlertConfig,
    DistrictDay,
    Figures,
    LastSeen,
    SectionClass,
    WaterRatio,
)
from service.alerts.signing import new_message_id
from service.alerts.state import Notification, Step, evaluate
from service.clock import Clock
from service.i18n import MESSAGES
from service.settings import Settings
from service.store.engine import writing

log = logging.getLogger(__name__)

CST = dt.timezone(dt.timedelta(hours=8), "CST")
#: District-days looked at by the AQI > 100 rule: today and yesterday (CST).
DAY_WINDOW = 2
#: Earlier years used for the year-end projection.
HISTORY_YEARS = 5
#: Key of the PostgreSQL advisory lock that serialises evaluations (SQLite: BEGIN IMMEDIATE).
_PG_LOCK_KEY = 0x656E766D6F6E  # "envmon"


@dataclass(frozen=True, slots=True)
class EnqueueReport:
    """What one evaluation did."""

    transitions: int
    notifications: int
    messages: int
    skipped: tuple[str, ...] = ()


def config_from_settings(settings: Settings) -> AlertConfig:
    """Thresholds from ``alert_rules_file`` when set, else the defaults."""
    if settings.alert_rules_file is None:
        return AlertConfig()
    return AlertConfig.from_json(settings.alert_rules_file.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------- the adapter


@functools.cache
def _district_names() -> dict[str, dict[str, str]]:
    import geodata

    d = geodata.load_districts()
    names = {str(r.code): {"zh": str(r.name), "en": str(r.name_en)} for r in d.itertuples()}
    names["city"] = dict(MESSAGES["alert.city"])
    return names


def _air(engine: Engine, districts: list[str], today: dt.date) -> tuple[AirRatio, ...]:
    from service.compute import air_summary, year_daily_aqi
    from service.targets import get_target
    from stations.targets import air_budget

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


def _water(
    engine: Engine, districts: list[str], today: dt.date
) -> tuple[tuple[WaterRatio, ...], tuple[SectionClass, ...]]:
    from service.compute import water_summary
    from service.targets import get_target

    year = today.year
    ratios, sections = [], []
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
    month = water_summary(engine, "city", today.strftime("%Y-%m"))
    for s in month.sections:
        if s.cls is not None:
            sections.append(
                SectionClass(
                    section=s.section,
                    district=s.district,
                    water_class=s.cls,
                    deciding_items=tuple(s.deciding),
                    name=s.name,
                )
            )
    return tuple(ratios), tuple(sections)


def _days(conn: Connection, today: dt.date) -> tuple[DistrictDay, ...]:
    from service.store.compute_tables import district_days

    first = today - dt.timedelta(days=DAY_WINDOW - 1)
    rows = conn.execute(
        select(
            district_days.c.district,
            district_days.c.day,
            district_days.c.aqi,
            district_days.c.primary_pollutants,
        ).where(district_days.c.day >= first, district_days.c.day <= today)
    )
    return tuple(
        DistrictDay(
            district=r.district,
            day=r.day,
            aqi=r.aqi,
            primary_pollutant=",".join(r.primary_pollutants or []) or None,
        )
        for r in rows
    )


def _last_seen(conn: Connection) -> tuple[LastSeen, ...]:
    from service.store.tables import readings, samples, sections, stations

    out: list[LastSeen] = []
    for kind, places, data, key in (
        ("station", stations, readings, readings.c.station),
        ("section", sections, samples, samples.c.section),
    ):
        latest = select(key.label("code"), func.max(data.c.time).label("last")).group_by(key)
        latest_sq = latest.subquery()
        rows = conn.execute(
            select(places.c.code, places.c.name, places.c.district_code, latest_sq.c.last)
            .select_from(places.outerjoin(latest_sq, places.c.code == latest_sq.c.code))
            .where(places.c.demo.is_(False), places.c.district_code.is_not(None))
        )
        out += [
            LastSeen(kind, r.code, r.district_code, r.last, r.name)
            for r in rows
            if kind == "station" or r.last is not None  # sections are sampled monthly
        ]
    return tuple(out)


def load_figures(engine: Engine, now: dt.datetime) -> Figures:
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
        parts["water"], parts["sections"] = _water(engine, districts, today)
    except Exception:
        log.exception("alerts: water figures unavailable; water rules skipped")
    with engine.connect() as conn:
        try:
            parts["days"] = _days(conn, today)
        except Exception:
            log.exception("alerts: district days unavailable; AQI > 100 rule skipped")
        try:
            parts["last_seen"] = _last_seen(conn)
        except Exception:
            log.exception("alerts: last-seen times unavailable; silence rule skipped")
    return Figures(district_names=names, **parts)


# ---------------------------------------------------------------------------------- enqueueing


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def enqueue(
    conn: Connection,
    notifications: tuple[Notification, ...],
    subscriptions: list[repo.Subscription],
    now: dt.datetime,
    *,
    settings: Settings,
    district_names: Mapping[str, Mapping[str, str]] | None = None,
) -> int:
    """One outbox message per notification and subscription that wants it; returns the count."""
    count = 0
    retry_for = dt.timedelta(hours=settings.webhook_retry_hours)
    for n in notifications:
        for sub in subscriptions:
            if not sub.wants(n.rule, n.district):
                continue
            ctx = RenderContext(
                created_at=now,
                lang=sub.lang,
                receiver=sub.name,
                external_url=settings.alert_external_url,
                district_names=district_names,
            )
            try:
                body = render(n, sub.format, ctx, settings.webhook_max_payload_bytes)
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
    figures = figures if figures is not None else load_figures(engine, now)
    names: Mapping[str, Mapping[str, str]] = figures.district_names
    if not names:
        try:
            names = _district_names()
        except Exception:
            log.exception("alerts: district names unavailable")
    with writing(engine) as conn:
        _lock(conn)
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
        )
    parts = ("air", "water", "days", "sections", "last_seen")
    skipped = tuple(sorted(k for k in parts if getattr(figures, k) is None))
    return EnqueueReport(len(step.transitions), len(step.notifications), messages, skipped)


def alerts_hook(
    engine: Engine, clock: Clock, settings: Settings, *, worker_name: str | None = "envmon"
) -> Callable[..., EnqueueReport]:
    """A post-ingest hook for ``CollectionScheduler(hooks=[...])`` (which calls ``hook(result)``).

    Register it after the recompute hook. When it queues messages it nudges the delivery worker
    registered as ``worker_name`` so that delivery does not wait for the next tick.
    """
    config = config_from_settings(settings)

    def hook(*_: Any, **__: Any) -> EnqueueReport:
        report = evaluate_and_enqueue(engine, clock, settings=settings, config=config)
        if report.messages and worker_name is not None:
            from service.alerts.delivery import nudge

            nudge(worker_name)
        return report

    return hook
