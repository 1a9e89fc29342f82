"""The archive paths equal the frame path to the last digit: the in-memory core (``service.archive``)
and the xarray + Dask + flox graph (``service.archive_graph``, from the files and from a Zarr store).

The oracle is the frame path ``envmon ratio`` used before: each file cut to the wanted columns,
``parse_archive_csv`` (collector rules), one long frame, ``daily_values`` then ``district_daily``.
The two engines are also compared station day by station day, every column, NaN positions too.
Random folders carry what real files do: empty cells, text, negative values, CO sent in µg/m³,
values above the ceiling, repeated rows and columns, CO with three decimals, a year boundary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import dask_run
from service.archive import archive_files, read_period, station_days
from service.archive_graph import days_from_files, hourly_from_files, run_days
from service.archive_zarr import open_hourly, write_store
from service.figures.archive_days import city_days
from tests.archive_synth import frame_path_city

TYPES = ("SO2", "NO2", "PM10", "PM2.5", "CO", "O3", "AQI", "PM2.5_24h")
STATIONS = ("1001A", "1002A", "东四")
YEAR = 2026


_cell = st.one_of(
    st.just(""),
    st.integers(min_value=0, max_value=400).map(str),
    st.integers(min_value=0, max_value=9999).map(lambda v: f"{v / 1000:.3f}"),
    st.sampled_from(["-5", "abc", " ", "6000", "99999", "NA", "1e2", "12.34567"]),
)


@st.composite
def _folder(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    days = draw(
        st.lists(
            st.sampled_from(
                [
                    dt.date(YEAR - 1, 12, 31),
                    dt.date(YEAR, 1, 1),
                    dt.date(YEAR, 1, 2),
                    dt.date(YEAR, 2, 28),
                    dt.date(YEAR, 3, 1),
                    dt.date(YEAR, 12, 31),
                    dt.date(YEAR + 1, 1, 1),
                ]
            ),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    files: dict[str, list[list[str]]] = {}
    for day in days:
        columns = draw(st.lists(st.sampled_from(STATIONS), min_size=1, max_size=4))
        header = ["date", "hour", "type", *columns]
        rows = [header]
        full = draw(st.booleans())  # a full day (24 hours x 6 pollutants) now and then
        hours = range(24) if full else draw(st.lists(st.integers(0, 23), max_size=6))
        for hour in hours:
            types = TYPES if full else draw(st.lists(st.sampled_from(TYPES), max_size=3))
            for t in types:
                cells = [
                    draw(st.integers(5, 90).map(str)) if full and t != "CO" else draw(_cell)
                    for _ in columns
                ]
                rows.append([day.strftime("%Y%m%d"), str(hour), t, *cells])
        if rows[1:] and draw(st.booleans()):
            rows.append(list(rows[1]))  # a repeated row
        files[f"china_sites_{day:%Y%m%d}.csv"] = rows
    return files


def _in_process(*collections: object) -> tuple[object, ...]:
    return dask_run.compute(*collections, scheduler=None, workers=1)


def _graph_station_days(paths: list[Path], wanted: list[str], chunk_days: int) -> pd.DataFrame:
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    return days_from_files(
        paths, wanted, first, last, compute=_in_process, chunk_days=chunk_days
    ).days


def _assert_same_days(memory: pd.DataFrame, graph: pd.DataFrame) -> None:
    """Every column of every station day, exactly; NaN where NaN."""
    if memory.empty:
        assert graph.empty
        return
    pd.testing.assert_frame_equal(
        memory.reset_index(drop=True), graph.reset_index(drop=True), check_exact=True
    )


def _write(folder: Path, files: dict[str, list[list[str]]]) -> None:
    for name, rows in files.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (folder / name).write_text(buf.getvalue(), encoding="utf-8")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=_folder())
def test_streaming_city_days_equal_the_frame_path(tmp_path: Path, files: dict) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    _write(folder, files)
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    paths = archive_files(folder, first, last)
    wanted = set(STATIONS)
    expected = frame_path_city(paths, wanted, YEAR)
    memory = station_days(read_period(paths, list(STATIONS), first, last))
    # Chunks of 9 days (a file feeds two chunks) and of the whole year.
    for chunk_days in (9, 366):
        _assert_same_days(memory, _graph_station_days(paths, list(STATIONS), chunk_days))
    got = city_days(memory)
    if expected.empty:
        assert got.empty or not got["aqi"].notna().any()
        return
    cols = ["date", "standard", "SO2_24h", "NO2_24h", "PM10_24h", "PM25_24h", "CO_24h"]
    cols += ["O3_8h", "O3_1h", "aqi", "level", "ratio_valid", "primary", "stations"]
    left = expected[cols].reset_index(drop=True)
    right = got[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_exact=True, check_dtype=False)


def test_a_full_year_boundary_example_by_hand(tmp_path: Path) -> None:
    """Hour 0 of January 1's file is December 31's last hour; the Jan 1 file of the next year
    completes December 31 of this one."""
    rows = [["date", "hour", "type", "1001A"]]
    for h in range(1, 24):
        rows.append([f"{YEAR}1231", str(h), "PM2.5", "40"])
    (tmp_path / f"china_sites_{YEAR}1231.csv").write_text(
        "\n".join(",".join(r) for r in rows), encoding="utf-8"
    )
    (tmp_path / f"china_sites_{YEAR + 1}0101.csv").write_text(
        f"date,hour,type,1001A\n{YEAR + 1}0101,0,PM2.5,64\n{YEAR + 1}0101,1,PM2.5,999\n",
        encoding="utf-8",
    )
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    arrays = read_period(archive_files(tmp_path, first, last), ["1001A"], first, last)
    last_day = arrays.hourly["PM25"][0, -24:]
    assert np.array_equal(last_day, np.array([40.0] * 23 + [64.0]))
    city = city_days(station_days(arrays))
    # (23 x 40 + 64) / 24 = 41.0 µg/m³
    assert city["PM25_24h"].tolist() == [41.0]


def test_a_wide_national_file_equals_the_frame_path(tmp_path: Path) -> None:
    """Past 64 wanted columns the reader converts every column at once (the national case): the
    same answer, text cells, a repeated column and a repeated row included."""
    rng = np.random.default_rng(7)
    codes = [f"{1001 + i}A" for i in range(70)]
    for day in (dt.date(YEAR, 1, 1), dt.date(YEAR, 1, 2)):
        header = ["date", "hour", "type", *codes, codes[3]]  # 1004A twice
        rows = [header]
        for hour in range(24):
            for t in TYPES:
                cells = [str(int(v)) for v in rng.integers(1, 150, size=len(header) - 3)]
                cells[5] = "" if hour % 5 else "n/a"  # text in one column now and then
                rows.append([day.strftime("%Y%m%d"), str(hour), t, *cells])
        rows.append(list(rows[7]))  # a repeated row
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (tmp_path / f"china_sites_{day:%Y%m%d}.csv").write_text(buf.getvalue(), encoding="utf-8")
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    paths = archive_files(tmp_path, first, last)
    expected = frame_path_city(paths, set(codes), YEAR)
    got = city_days(station_days(read_period(paths, codes, first, last)))
    assert len(got) == 2 and got["aqi"].notna().all()
    cols = ["date", "PM25_24h", "O3_8h", "CO_24h", "aqi", "primary", "stations"]
    pd.testing.assert_frame_equal(
        expected[cols].reset_index(drop=True),
        got[cols].reset_index(drop=True),
        check_exact=True,
        check_dtype=False,
    )


def test_the_graph_from_files_and_from_a_zarr_store_equals_the_memory_path(
    tmp_path: Path,
) -> None:
    """A synthetic month of 40 stations (CO to 0.001 mg/m³, 3 % empty cells): station days and
    city days of the memory path, the graph over the files, and the graph over ``to-zarr``'s store
    are equal, every column; the store keeps the files it read."""
    from tests.archive_synth import station_codes, write_day

    rng = np.random.default_rng(11)
    codes = station_codes(40)
    folder = tmp_path / "archive"
    folder.mkdir()
    day = dt.date(YEAR, 1, 1)
    while day <= dt.date(YEAR, 2, 1):
        write_day(folder / f"china_sites_{day:%Y%m%d}.csv", day, codes, rng)
        day += dt.timedelta(days=1)
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 1, 31)
    paths = archive_files(folder, first, last)
    wanted = [codes[5], codes[0], "1999A", *codes[10:30]]  # an order of its own, one unknown
    memory = station_days(read_period(paths, wanted, first, last))
    assert len(memory) == 22 * 31

    graph = hourly_from_files(paths, wanted, first, last, chunk_days=10)
    from_files = run_days(graph, compute=_in_process)
    _assert_same_days(memory, from_files.days)
    assert from_files.files == 32 and from_files.found == set(wanted) - {"1999A"}

    written = write_store(folder, tmp_path / "hourly.zarr", compute=_in_process)
    assert written.files == 32 and written.stations == 40 and written.bad_files == []
    store = open_hourly(tmp_path / "hourly.zarr", wanted, first, last)
    from_store = run_days(store.graph, compute=_in_process, found=store.found, files=store.files)
    _assert_same_days(memory, from_store.days)
    assert from_store.files == 32
    city = run_days(store.graph, compute=_in_process, city=True).days
    pd.testing.assert_frame_equal(
        city_days(memory).reset_index(drop=True), city.reset_index(drop=True), check_exact=True
    )
