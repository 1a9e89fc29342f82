"""A chunk of the archive graph keeps one tuple of labels per header, not one per file: over a
national decade each file's own tuple (1,700 labels, 130 KiB) would hold 0.45 GiB to the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from service.archive_graph import day_number, read_chunk
from tests.archive_synth import station_codes, write_day


def test_files_with_one_header_share_one_found_tuple(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    codes = station_codes(6)
    days = [dt.date(2025, 3, d) for d in range(1, 6)]
    for day in days:
        write_day(tmp_path / f"china_sites_{day:%Y%m%d}.csv", day, codes, rng)
    other = dt.date(2025, 3, 6)  # another header: its own tuple
    write_day(tmp_path / f"china_sites_{other:%Y%m%d}.csv", other, codes[:3], rng)
    jobs = [(str(tmp_path / f"china_sites_{d:%Y%m%d}.csv"), True) for d in [*days, other]]
    lo = 24 * day_number(days[0])
    data, infos = read_chunk(
        jobs, lo, 24 * 7, tuple(codes), np.float32, lo - 24, lo + 24 * 7, False
    )
    assert [len(i.found) for i in infos] == [6, 6, 6, 6, 6, 3]
    assert all(i.found is infos[0].found for i in infos[:5])
    assert infos[5].found == tuple(codes[:3])
    assert np.isfinite(data).any()
