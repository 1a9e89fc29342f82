"""Demo and live never mix: a store holding the demo feed's data refuses to start live.

The demo feed writes simulated readings for the real stations (1258A ...) as well as for the demo
stations, so a store that ran it cannot serve live figures without showing simulated ones as real.
Starting with ``ENVMON_DEMO=false`` (or an upstream configured) on such a store stops with a message
naming ``envmon demo purge``, which deletes exactly what the demo feed wrote and rebuilds the
figures from what is left (see README, "Connect your own data").
"""

from __future__ import annotations

from sqlalchemy import Engine

from service.clock import Clock
from service.compute.recompute import recompute_all
from service.store.demo_presence import DemoCounts, demo_counts, purge_demo
from service.store.engine import writing


class DemoDataInLiveStore(RuntimeError):
    """Live mode was asked for on a store that holds demo data."""


def refuse_live_on_demo_store(engine: Engine, demo_mode: bool) -> None:
    """Raise ``DemoDataInLiveStore`` when ``demo_mode`` is off and the store holds demo data."""
    if demo_mode:
        return
    with engine.connect() as conn:
        counts = demo_counts(conn)
    if counts.any:
        raise DemoDataInLiveStore(
            f"this store holds the demo feed's simulated data ({counts}); live mode would show "
            "them as real figures. Run `envmon demo purge` to delete them (your own imports and "
            "collected data stay), or start with ENVMON_DEMO=true."
        )


def purge(engine: Engine, clock: Clock) -> tuple[DemoCounts, int]:
    """Delete the demo feed's data and rebuild every figure; returns what was removed and the
    number of figure rows rebuilt."""
    with writing(engine) as conn:
        removed = purge_demo(conn)
    done = recompute_all(engine, clock)
    return removed, done.station_days + done.district_days + done.section_periods


__all__ = ["DemoDataInLiveStore", "purge", "refuse_live_on_demo_store"]
