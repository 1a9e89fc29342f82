"""Pure alert rules and the Alertmanager-style life cycle: tiny inputs, exact outcomes."""

from __future__ import annotations

import datetime as dt

import pytest

from service.alerts import rules as r
from service.alerts.rules import (
    AirRatio,
    AlertConfig,
    DistrictDay,
    Figures,
    LastSeen,
    SectionClass,
    WaterRatio,
)
from service.alerts.state import FIRING, RESOLVED, evaluate, fingerprint, group_key

T0 = dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def air(ratio: float | None, district: str = "330902", **kw) -> Figures:
    return Figures(air=(AirRatio(district, 2026, ratio, 0, 0, 0.97, **kw),))


def run(seq, config: AlertConfig | None = None, step: dt.timedelta = H):
    """Evaluate a sequence of figures an hour apart; return (states, notifications per step)."""
    states: dict = {}
    notes = []
    for i, figures in enumerate(seq):
        out = evaluate(figures, config or AlertConfig(), states, T0 + i * step)
        states = {s.fingerprint: s for s in out.states}
        notes.append(out.notifications)
    return states, notes


def only(states, rule: str):
    (s,) = [s for s in states.values() if s.rule == rule]
    return s


class TestRatioRule:
    def test_fires_below_target_and_resolves_above_target_plus_margin(self) -> None:
        states, notes = run([air(0.975), air(0.969), air(0.972), air(0.976)])
        assert [len(n) for n in notes] == [0, 1, 0, 1]
        assert notes[1][0].status == FIRING and notes[1][0].reason == "new"
        assert notes[3][0].status == RESOLVED and notes[3][0].alerts[0].ends_at == T0 + 3 * H
        s = only(states, r.EXCELLENT_GOOD_RATIO)
        assert s.status == RESOLVED and s.starts_at == T0 + H

    def test_hovering_at_the_threshold_does_not_flap(self) -> None:
        values = [0.9699, 0.9701, 0.9699, 0.9702, 0.9698, 0.9701, 0.9700]
        _, notes = run([air(v) for v in values])
        assert sum(len(n) for n in notes) == 1  # one "firing", no resolve/refire

    def test_unknown_value_neither_fires_nor_resolves(self) -> None:
        states, notes = run([air(0.9), air(None)])
        assert only(states, r.EXCELLENT_GOOD_RATIO).status == FIRING
        assert notes[1] == ()

    def test_threshold_and_margins_per_district(self) -> None:
        config = AlertConfig.from_mapping(
            {
                "defaults": {"excellent_good_ratio_below_target": {"resolve_margin": 0.0}},
                "districts": {
                    "330922": {"excellent_good_ratio_below_target": {"threshold": 0.99}},
                    "330903": {"excellent_good_ratio_below_target": {"enabled": False}},
                },
            }
        )
        figs = Figures(
            air=(
                AirRatio("330902", 2026, 0.98, 0, 0, 0.97),
                AirRatio("330922", 2026, 0.98, 0, 0, 0.97),
                AirRatio("330903", 2026, 0.5, 0, 0, 0.97),
            )
        )
        out = evaluate(figs, config, {}, T0)
        firing = {s.district for s in out.states if s.rule == r.EXCELLENT_GOOD_RATIO}
        assert firing == {"330922"}
        assert config.for_rule(r.EXCELLENT_GOOD_RATIO, "330902").resolve_margin == 0.0

    def test_unknown_rule_in_config_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown alert rule"):
            AlertConfig.from_mapping({"defaults": {"nope": {}}})


class TestOtherRules:
    def test_budget_exhausted_and_projection(self) -> None:
        figs = air(
            0.975, budget_days=0, projected_ratio=0.96, projected_low=0.95, projected_high=0.97
        )
        out = evaluate(figs, AlertConfig(), {}, T0)
        rules = {s.rule for s in out.states}
        assert rules == {r.BUDGET_EXHAUSTED, r.PROJECTED_RATIO}
        states, notes = run([figs, air(0.975, budget_days=1, projected_ratio=0.99)])
        # budget must come back to 0 + 1 day to resolve; the projection resolves above 97.5 %
        assert {s.rule: s.status for s in states.values()} == {
            r.BUDGET_EXHAUSTED: RESOLVED,
            r.PROJECTED_RATIO: RESOLVED,
        }

    def test_polluted_day_labels_the_day_and_resolves_when_it_leaves_the_window(self) -> None:
        d1, d2 = dt.date(2026, 5, 31), dt.date(2026, 6, 1)
        seq = [
            Figures(days=(DistrictDay("330902", d1, 101, "O3_8h"), DistrictDay("330902", d2, 60))),
            Figures(days=(DistrictDay("330902", d2, 60),)),
        ]
        states, notes = run(seq)
        (alert,) = notes[0][0].alerts
        assert alert.labels == {
            "alertname": r.POLLUTED_DAY,
            "district": "330902",
            "day": "2026-05-31",
        }
        assert alert.params["primary_pollutant"] == "O3_8h" and alert.value == 101
        assert notes[1][0].status == RESOLVED

    def test_aqi_of_exactly_100_does_not_fire(self) -> None:
        out = evaluate(
            Figures(days=(DistrictDay("330902", dt.date(2026, 6, 1), 100, "PM25"),)),
            AlertConfig(),
            {},
            T0,
        )
        assert out.states == ()

    @pytest.mark.parametrize(("cls", "fires"), [("III", False), ("IV", True), ("V+", True)])
    def test_section_worse_than_class_iii(self, cls: str, fires: bool) -> None:
        figs = Figures(sections=(SectionClass("S1", "330903", cls, deciding_items=("TP",)),))
        out = evaluate(figs, AlertConfig(), {}, T0)
        assert bool(out.notifications) is fires

    def test_class_iii_ratio(self) -> None:
        figs = Figures(water=(WaterRatio("city", 2026, 0.9, 9, 10, 0.95),))
        (n,) = evaluate(figs, AlertConfig(), {}, T0).notifications
        assert n.group_labels == {"alertname": r.CLASS_III_RATIO, "district": "city"}

    def test_sea_good_ratio(self) -> None:
        """1 of 3 seawater points at 一、二类 (33.3 %) against a 40 % target fires; 1 of 2
        (50 %) against 50 % does not (the full value meets), and a district without a classed
        point (ratio None) neither fires nor resolves."""
        figs = Figures(
            sea=(
                r.SeaRatio("city", 2026, 1 / 3, 1, 3, 0.40),
                r.SeaRatio("330903", 2026, 0.5, 1, 2, 0.50),
                r.SeaRatio("330921", 2026, None, 0, 0, 0.50),
            )
        )
        (n,) = evaluate(figs, AlertConfig(), {}, T0).notifications
        assert n.group_labels == {"alertname": r.SEA_GOOD_RATIO, "district": "city"}
        assert r.SEA_GOOD_RATIO in figs.supplied_rules()

    def test_silent_station_after_n_hours(self) -> None:
        config = AlertConfig.from_mapping({"districts": {"330921": {"silent": {"threshold": 2}}}})
        seen = (
            LastSeen("station", "A1", "330902", T0 - 5 * H),  # default 6 h: not yet
            LastSeen("station", "A2", "330921", T0 - 3 * H),  # 2 h for Daishan: silent
            LastSeen("station", "A3", "330921", None),  # never seen
        )
        out = evaluate(Figures(last_seen=seen), config, {}, T0)
        assert sorted(s.labels["code"] for s in out.states) == ["A2", "A3"]
        back = (LastSeen("station", "A2", "330921", T0 + H), seen[2])
        out2 = evaluate(
            Figures(last_seen=back), config, {s.fingerprint: s for s in out.states}, T0 + H
        )
        assert {s.labels["code"]: s.status for s in out2.states} == {"A2": RESOLVED, "A3": FIRING}


class TestLifeCycle:
    def test_fingerprint_is_stable_and_label_order_free(self) -> None:
        a = fingerprint({"alertname": "x", "district": "1"})
        assert a == fingerprint({"district": "1", "alertname": "x"})
        assert a != fingerprint({"alertname": "x", "district": "2"})
        assert len(a) == 16
        assert group_key({"alertname": "x", "district": "1", "day": "d"}) == (
            '{}:{alertname="x", district="1"}'
        )

    def test_grouped_by_district_and_rule(self) -> None:
        days = tuple(
            DistrictDay(d, dt.date(2026, 5, day), 120, "PM25")
            for d in ("330902", "330903")
            for day in (30, 31)
        )
        out = evaluate(Figures(days=days), AlertConfig(), {}, T0)
        assert [(n.district, len(n.alerts)) for n in out.notifications] == [
            ("330902", 2),
            ("330903", 2),
        ]

    def test_repeat_interval(self) -> None:
        states, notes = run([air(0.9)] * 26)
        sent = [i for i, n in enumerate(notes) if n]
        assert sent == [0, 24]
        assert notes[24][0].reason == "repeat"

    def test_rules_whose_figures_are_missing_keep_their_state(self) -> None:
        states, notes = run([air(0.9), Figures(water=())])
        assert only(states, r.EXCELLENT_GOOD_RATIO).status == FIRING
        assert notes[1] == ()

    def test_refiring_starts_a_new_alert_period(self) -> None:
        states, notes = run([air(0.9), air(0.99), air(0.9)])
        assert [n[0].status for n in notes] == [FIRING, RESOLVED, FIRING]
        assert only(states, r.EXCELLENT_GOOD_RATIO).starts_at == T0 + 2 * H
        assert only(states, r.EXCELLENT_GOOD_RATIO).ends_at is None


class TestSilencePerCadence:
    """Deadlines worked by hand: a monthly section owes the next month's sample, due by the end of
    that month (CST) plus the grace period."""

    @pytest.mark.parametrize(
        ("sampled_cst", "deadline_cst"),
        [
            (
                dt.datetime(2026, 11, 5, 10),
                dt.datetime(2027, 1, 16),
            ),  # Nov -> Dec due -> 1 Jan + 15 d
            (dt.datetime(2026, 12, 31, 23), dt.datetime(2027, 2, 16)),  # 31 Dec CST is December
            (dt.datetime(2026, 1, 31, 9), dt.datetime(2026, 3, 16)),  # Jan -> Feb due (28 days)
            (dt.datetime(2026, 12, 1, 0, 30), dt.datetime(2027, 2, 16)),  # 30 Nov UTC is December
        ],
    )
    def test_monthly_deadline(self, sampled_cst: dt.datetime, deadline_cst: dt.datetime) -> None:
        cst = r.CST
        last = sampled_cst.replace(tzinfo=cst).astimezone(dt.UTC)
        due = r.silence_deadline(last, r.MONTHLY, 6.0, r.SilenceLimits())
        assert due == deadline_cst.replace(tzinfo=cst)

    def test_each_cadence_has_its_own_limit(self) -> None:
        seen = (
            LastSeen("station", "A1", "330902", T0 - 7 * H, cadence=r.HOURLY),
            LastSeen("water_auto", "W1", "330902", T0 - 7 * H, cadence=r.FOUR_HOURLY),
            LastSeen("section", "S1", "330902", T0 - 20 * 24 * H, cadence=r.MONTHLY),
        )
        out = evaluate(Figures(last_seen=seen), AlertConfig(), {}, T0)
        assert [s.labels["code"] for s in out.states] == [
            "A1"
        ]  # 6 h < 7 h < 12 h; May's due end of June
        limits = r.SilenceLimits(hourly_h=8, four_hourly_h=6, monthly_grace_days=0)
        out = evaluate(Figures(last_seen=seen), AlertConfig(silence=limits), {}, T0)
        assert [s.labels["code"] for s in out.states] == ["W1"]

    def test_a_rules_file_threshold_is_the_hourly_limit_only(self) -> None:
        config = AlertConfig.from_mapping({"defaults": {"silent": {"threshold": 2}}})
        seen = (
            LastSeen("station", "A1", "330902", T0 - 3 * H, cadence=r.HOURLY),
            LastSeen("water_auto", "W1", "330902", T0 - 3 * H, cadence=r.FOUR_HOURLY),
        )
        out = evaluate(Figures(last_seen=seen), config, {}, T0)
        assert [(s.labels["code"], s.threshold) for s in out.states] == [("A1", 2.0)]


class TestCollectorDegraded:
    def test_fires_on_degraded_holds_on_failed_resolves_on_ok(self) -> None:
        def figs(status: str) -> Figures:
            return Figures(collectors=(r.CollectorRun("cnemc_realtime", status, 10, 30),))

        states, notes = run([figs("ok"), figs("degraded"), figs("failed"), figs("ok")])
        assert [len(n) for n in notes] == [0, 1, 0, 1]
        (alert,) = notes[1][0].alerts
        assert alert.labels == {
            "alertname": r.COLLECTOR_DEGRADED,
            "district": "city",
            "collector": "cnemc_realtime",
        }
        assert alert.value == 0.75 and alert.severity == "critical"
        assert notes[3][0].status == RESOLVED

    def test_a_failed_run_alone_does_not_fire(self) -> None:
        out = evaluate(Figures(collectors=(r.CollectorRun("x", "failed"),)), AlertConfig(), {}, T0)
        assert out.states == ()
