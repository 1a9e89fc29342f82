"""The alert life cycle, as Prometheus Alertmanager does it, as pure functions.

- An alert is identified by its labels; its fingerprint is a stable hash of them (rule included).
- ``firing`` when its rule's ``fire`` condition holds; it stays firing while ``hold`` holds
  (hysteresis), then becomes ``resolved`` with ``ends_at``. An alert whose rule was evaluated but no
  longer reports it (a district-day that left the window) resolves too.
- Alerts are grouped by ``(alertname, district)``. A group is notified when one of its alerts starts
  firing or resolves, and again every ``repeat_interval`` while alerts in it keep firing. Each
  notification carries the group's firing alerts and those resolved since the last one.

``evaluate(figures, config, previous, now)`` is the whole pure step: nothing here reads the clock or
the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from service.alerts.rules import AlertConfig, Figures, Signal, signals

FIRING: Final = "firing"
RESOLVED: Final = "resolved"
#: The status of a test message's notification and alert (``service.alerts.receiver_check``).
TEST: Final = "test"

#: Labels that group alerts into one notification.
GROUP_BY: Final = ("alertname", "district")


def fingerprint(labels: Mapping[str, str]) -> str:
    """Stable 16-hex-digit fingerprint of an alert's labels (rule included as ``alertname``)."""
    canonical = json.dumps(dict(sorted(labels.items())), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def group_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """The labels an alert is grouped by."""
    return {k: labels[k] for k in GROUP_BY if k in labels}


def group_key(labels: Mapping[str, str]) -> str:
    """Alertmanager-style group key: ``{}:{alertname="...", district="..."}``."""
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(group_labels(labels).items()))
    return "{}:{" + inner + "}"


@dataclass(frozen=True, slots=True)
class AlertState:
    """What the store keeps of one alert between evaluations."""

    fingerprint: str
    labels: Mapping[str, str]
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    value: float | None
    threshold: float | None
    severity: str
    repeat_interval_h: float
    params: Mapping[str, Any] = field(default_factory=dict)
    last_notified_at: dt.datetime | None = None
    notified_status: str | None = None
    updated_at: dt.datetime | None = None

    @property
    def rule(self) -> str:
        """The rule's name."""
        return self.labels["alertname"]

    @property
    def district(self) -> str:
        """The district code the alert belongs to."""
        return self.labels.get("district", "")


@dataclass(frozen=True, slots=True)
class Notification:
    """One group's message: its firing alerts and those resolved since the last message."""

    group_key: str
    group_labels: Mapping[str, str]
    status: str
    alerts: tuple[AlertState, ...]
    #: "new" | "resolved" | "repeat"; "current" (what fires when a subscription starts) and "test"
    #: (a check of a receiver) are sent to one subscription only.
    reason: str

    @property
    def rule(self) -> str:
        """The group's rule."""
        return self.group_labels["alertname"]

    @property
    def district(self) -> str:
        """The group's district."""
        return self.group_labels.get("district", "")


@dataclass(frozen=True, slots=True)
class Step:
    """Result of one evaluation: the states to store and the notifications to send."""

    states: tuple[AlertState, ...]
    notifications: tuple[Notification, ...]
    transitions: tuple[tuple[str, str, str], ...]  # (fingerprint, from, to)


def _from_signal(sig: Signal, fp: str, now: dt.datetime, prev: AlertState | None) -> AlertState:
    params = dict(sig.params)
    if not sig.fire:
        # Firing only because of the hysteresis band: back on the good side of the limit, not yet
        # past ``resolve_at``. Messages say so (the public figures already show the limit met).
        params["held"] = True
    return AlertState(
        fingerprint=fp,
        labels=dict(sig.labels),
        status=FIRING,
        starts_at=prev.starts_at if prev is not None and prev.status == FIRING else now,
        ends_at=None,
        value=sig.value,
        threshold=sig.threshold,
        severity=sig.severity,
        repeat_interval_h=sig.repeat_interval_h,
        params=params,
        last_notified_at=prev.last_notified_at if prev is not None else None,
        notified_status=prev.notified_status if prev is not None else None,
        updated_at=now,
    )


def advance(
    sigs: Iterable[Signal],
    previous: Mapping[str, AlertState],
    now: dt.datetime,
    evaluated_rules: Iterable[str],
) -> Step:
    """Move every alert one step: signals + previous states at ``now`` -> new states + notifications.

    Alerts of rules not in ``evaluated_rules`` (their figures were not supplied) are left as they are.
    """
    states, transitions = _next_states(sigs, previous, now, frozenset(evaluated_rules))
    groups: dict[str, list[AlertState]] = {}
    for st in states.values():
        groups.setdefault(group_key(st.labels), []).append(st)
    notifications: list[Notification] = []
    for key in sorted(groups):
        note = _group_notification(key, groups[key], now)
        if note is None:
            continue
        for s in note.alerts:
            states[s.fingerprint] = s
        notifications.append(note)
    ordered = tuple(states[fp] for fp in sorted(states))
    return Step(states=ordered, notifications=tuple(notifications), transitions=tuple(transitions))


def _next_states(
    sigs: Iterable[Signal],
    previous: Mapping[str, AlertState],
    now: dt.datetime,
    evaluated: frozenset[str],
) -> tuple[dict[str, AlertState], list[tuple[str, str, str]]]:
    """Every alert's state after the signals (an alert of an evaluated rule with no signal
    resolves), and the transitions (fingerprint, from, to)."""
    states: dict[str, AlertState] = {}
    transitions: list[tuple[str, str, str]] = []
    for sig in sigs:
        fp = fingerprint(sig.labels)
        prev = previous.get(fp)
        was_firing = prev is not None and prev.status == FIRING
        if sig.fire or (was_firing and sig.hold):
            states[fp] = _from_signal(sig, fp, now, prev)
            if not was_firing:
                transitions.append((fp, prev.status if prev else "inactive", FIRING))
        elif was_firing and prev is not None:
            states[fp] = replace(
                prev,
                status=RESOLVED,
                ends_at=now,
                value=sig.value,
                params=dict(sig.params),
                updated_at=now,
            )
            transitions.append((fp, FIRING, RESOLVED))
        elif prev is not None:
            states[fp] = prev
    for fp, prev in previous.items():
        if fp in states:
            continue
        if prev.status == FIRING and prev.rule in evaluated:
            states[fp] = replace(prev, status=RESOLVED, ends_at=now, updated_at=now)
            transitions.append((fp, FIRING, RESOLVED))
        else:
            states[fp] = prev
    return states, transitions


def _group_notification(
    key: str, members: list[AlertState], now: dt.datetime
) -> Notification | None:
    """The group's notification at ``now`` (new firing, resolved, or the repeat interval gone by),
    its alerts marked notified; ``None`` when there is nothing to say."""
    firing = [s for s in members if s.status == FIRING]
    newly = [s for s in firing if s.notified_status != FIRING]
    resolved = [s for s in members if s.status == RESOLVED and s.notified_status == FIRING]
    repeat = [
        s
        for s in firing
        if s.last_notified_at is None
        or now - s.last_notified_at >= dt.timedelta(hours=s.repeat_interval_h)
    ]
    if not (newly or resolved or repeat):
        return None
    reason = "new" if newly else ("resolved" if resolved else "repeat")
    included = sorted(firing + resolved, key=lambda s: (s.status, sorted(s.labels.items())))
    marked = tuple(replace(s, last_notified_at=now, notified_status=s.status) for s in included)
    return Notification(
        group_key=key,
        group_labels=group_labels(members[0].labels),
        status=FIRING if firing else RESOLVED,
        alerts=marked,
        reason=reason,
    )


def evaluate(
    figures: Figures,
    config: AlertConfig,
    previous: Mapping[str, AlertState],
    now: dt.datetime,
) -> Step:
    """The pure alerting step: figures + thresholds + previous states + now -> transitions."""
    return advance(signals(figures, config, now), previous, now, figures.supplied_rules())
