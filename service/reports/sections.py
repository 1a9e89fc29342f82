"""Further report sections: each one gathers its figures once and words them in a language; HTML
and PDF lay every section out the same way (a heading, lines of text, plain tables).

A feature adds its section with one line, ``SECTIONS.append(MySection())``, in its own module
(``opens = True`` puts it before the report's own sections, as the co-control tables are)
(imported by ``service.reports``); the report builder and both renderers need no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.clock import Clock
    from service.figures.report_data import ReportData


@dataclass(frozen=True, slots=True)
class SectionTable:
    """A plain table: a header row and rows of text."""

    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class Section:
    """A section as shown: its heading (numbered by the report), lines, then tables."""

    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[SectionTable] = field(default_factory=list)


class ReportSection(Protocol):
    """One further section of every report."""

    #: Where its figures are kept in ``ReportData.extra``.
    key: str
    #: True: the section opens the report, before its own sections (numbered first); False: it
    #: follows them.
    opens: bool

    def gather(self, engine: Engine, clock: Clock, data: ReportData) -> object:
        """The section's figures for the report ``data`` (called once per report)."""
        ...

    def words(self, figures: object, data: ReportData, lang: str) -> Section | None:
        """The section in ``lang`` (``None``: nothing to show for this report)."""
        ...


#: The further sections, in the order they open or follow the report's own.
SECTIONS: list[ReportSection] = []

__all__ = ["SECTIONS", "ReportSection", "Section", "SectionTable"]
