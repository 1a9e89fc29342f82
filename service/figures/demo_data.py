"""Are the figures demo figures? True when the store holds the demo feed's data (or demo
stations): every figure computed from it is then partly or wholly simulated and must say so."""

from __future__ import annotations

from sqlalchemy import Engine

from service.store.demo_presence import demo_data_present


def figures_are_demo(engine: Engine) -> bool:
    """True when the store's figures come (at least partly) from demo data."""
    with engine.connect() as conn:
        return demo_data_present(conn)
