"""Collectors: one module per upstream feed, each a pure ``parse(raw) -> Parsed`` plus a thin ``fetch``.

``COLLECTORS`` is the explicit registry (no import strings). Constructors take their configuration:

========================  ==================================================================
``national_archive``      ``NationalArchiveCollector(base_url=None, *, registry=None)``
``openaq``                ``OpenAQCollector(api_key, locations, *, stations=None, base_url=...)``
``cnemc_realtime``        ``CnemcRealtimeCollector(url, *, stations=None, headers=None)``
``lab_files``             ``LabFilesCollector(sections=None)`` (files are pushed, ``fetch`` -> [])
``water_auto``            ``WaterAutoCollector(url=None, *, sections=None, year=None)``
``demo``                  ``DemoCollector(stations, sections=(), *, seed=0)``
========================  ==================================================================

Every ``parse`` also takes an optional ``now`` (aware datetime) enabling the future-time rule.
"""

from __future__ import annotations

from typing import Final

from stations.collectors.base import Collector, Payload, UpstreamError, Window
from stations.collectors.cnemc_realtime import CnemcRealtimeCollector, parse_release
from stations.collectors.demo import DemoCollector, parse_demo, simulate_hours, simulate_samples
from stations.collectors.lab_files import LabFilesCollector, parse_lab_file
from stations.collectors.national_archive import (
    NationalArchiveCollector,
    iter_archive_files,
    parse_archive_csv,
    parse_file,
)
from stations.collectors.openaq import OpenAQCollector, parse_measurements, parse_openaq
from stations.collectors.water_auto import WaterAutoCollector, parse_water_auto

COLLECTORS: Final[dict[str, type]] = {
    "national_archive": NationalArchiveCollector,
    "openaq": OpenAQCollector,
    "cnemc_realtime": CnemcRealtimeCollector,
    "lab_files": LabFilesCollector,
    "water_auto": WaterAutoCollector,
    "demo": DemoCollector,
}

__all__ = [
    "COLLECTORS",
    "CnemcRealtimeCollector",
    "Collector",
    "DemoCollector",
    "LabFilesCollector",
    "NationalArchiveCollector",
    "OpenAQCollector",
    "Payload",
    "UpstreamError",
    "WaterAutoCollector",
    "Window",
    "iter_archive_files",
    "parse_archive_csv",
    "parse_demo",
    "parse_file",
    "parse_lab_file",
    "parse_measurements",
    "parse_openaq",
    "parse_release",
    "parse_water_auto",
    "simulate_hours",
    "simulate_samples",
]
