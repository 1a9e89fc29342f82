"""Zone supervision statistics: a zone's monitors and nearby AQI stations against the city background.

Pure and vectorised (one group-by over all rows). Inputs are long-form hourly readings with a
boolean ``valid`` (HJ 212 invalid flags false) and a membership table ``(zone, station, role)``,
``role`` one of ``monitor`` (the zone's own boundary/plant/port monitors), ``nearby`` (AQI stations
inside or within the configured distance of the zone) and ``background`` (the city's background
stations, the same rows for every zone).

Definitions (docs/supervision.md):

* ``mean``: the mean of every valid station-hour of the role in the period (station-hours pooled);
* ``p95``: the 95th percentile of the same values, linear interpolation between order statistics
  (numpy's default, Hyndman-Fan type 7: rank ``1 + 0.95 (n - 1)``, as HJ 663 writes percentiles);
* ``diff``: a role's mean minus the background's mean of the same parameter and period, in the
  parameter's stored unit;
* exceedance hours: distinct hours in which at least one monitor of the zone was above a limit
  (``stations.standards.fugitive``).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

ROLES: Final = ("monitor", "nearby", "background")
STAT_COLUMNS: Final = ("zone", "role", "parameter", "n_stations", "n_hours", "mean", "p95", "diff")


def role_statistics(readings: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Mean, 95th percentile and difference to background per (zone, role, parameter).

    ``readings``: station, time, pollutant, value, valid; ``members``: zone, station, role.
    ``n_hours`` counts valid station-hours, ``n_stations`` stations that had one.
    """
    if readings.empty or members.empty:
        return pd.DataFrame(columns=list(STAT_COLUMNS))
    valid = readings.loc[readings["valid"].to_numpy(dtype=bool), ["station", "pollutant", "value"]]
    station, stations = pd.factorize(valid["station"])
    rows, member = _member_rows(station, pd.Index(stations), members["station"])
    if not len(rows):
        return pd.DataFrame(columns=list(STAT_COLUMNS))
    # Grouped by integer codes: a zone's background stations repeat their readings once per zone,
    # so the joined rows outnumber the readings; their text keys would be hashed for every one.
    pair, pairs = pd.factorize(pd.MultiIndex.from_frame(members[["zone", "role"]]))
    pollutant, pollutants = pd.factorize(valid["pollutant"])
    group = pair[member] * len(pollutants) + pollutant[rows]
    joined = pd.DataFrame({"station": station[rows], "value": valid["value"].to_numpy()[rows]})
    groups = joined.groupby(group, sort=True)
    grouped = groups["value"]
    out = pd.DataFrame(
        {
            "n_stations": groups["station"].nunique(),
            "n_hours": grouped.count(),
            "mean": grouped.mean(),
            "p95": grouped.quantile(0.95, interpolation="linear"),
        }
    )
    codes = out.index.to_numpy()
    keys = pairs[codes // len(pollutants)]
    out.insert(0, "zone", keys.get_level_values(0).to_numpy())
    out.insert(1, "role", keys.get_level_values(1).to_numpy())
    out.insert(2, "pollutant", np.asarray(pollutants)[codes % len(pollutants)])
    out = out.sort_values(["zone", "role", "pollutant"]).reset_index(drop=True)
    out = out.rename(columns={"pollutant": "parameter"})
    background = out.loc[out["role"] == "background", ["zone", "parameter", "mean"]].rename(
        columns={"mean": "bg"}
    )
    out = out.merge(background, on=["zone", "parameter"], how="left")
    out["diff"] = np.where(out["role"] == "background", np.nan, out["mean"] - out["bg"])
    return out.loc[:, list(STAT_COLUMNS)]


def _member_rows(
    code: np.ndarray, names: pd.Index, members: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """The inner join of readings and members on station, as positions (the order of
    ``DataFrame.merge``): for each member in order, the positions of its station's readings in
    order (``rows``), and which member each joined row belongs to (``member``). ``code``: each
    reading's station as a position in ``names``."""
    of_member = names.get_indexer(pd.Index(members))  # -1: a member without readings
    order = np.argsort(code, kind="stable")
    counts = np.bincount(code, minlength=len(names))
    starts = np.cumsum(counts) - counts
    member = np.flatnonzero(of_member >= 0)
    n = counts[of_member[member]]
    member = np.repeat(member, n)
    within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    rows = order[np.repeat(starts[of_member[of_member >= 0]], n) + within]
    return rows, member


def exceedance_hours(exceedances: pd.DataFrame) -> pd.DataFrame:
    """Distinct exceedance hours per zone (``zone``, ``hours``) from a ``hourly_exceedances`` frame."""
    if exceedances.empty:
        return pd.DataFrame({"zone": pd.Series(dtype=object), "hours": pd.Series(dtype=int)})
    out = exceedances.groupby("zone")["time"].nunique().rename("hours").reset_index()
    return out


def monitor_exceedance_hours(exceedances: pd.DataFrame) -> pd.DataFrame:
    """Distinct exceedance hours per (zone, station, limit)."""
    cols = ["zone", "station", "limit", "hours"]
    if exceedances.empty:
        return pd.DataFrame(columns=cols)
    out = exceedances.groupby(["zone", "station", "limit"])["time"].nunique()
    return out.rename("hours").reset_index().loc[:, cols]


def window_rise(readings: pd.DataFrame, members: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """Mean of each zone's monitors minus the background mean, per parameter, over hours at or
    after ``start`` (the alert's window): ``zone, parameter, zone_mean, background_mean, rise``."""
    recent = readings[readings["time"] >= start]
    stats = role_statistics(recent, members)
    cols = ["zone", "parameter", "zone_mean", "background_mean", "rise"]
    if stats.empty:
        return pd.DataFrame(columns=cols)
    mon = stats[stats["role"] == "monitor"].set_index(["zone", "parameter"])["mean"]
    bg = stats[stats["role"] == "background"].set_index(["zone", "parameter"])["mean"]
    both = pd.concat([mon.rename("zone_mean"), bg.rename("background_mean")], axis=1, join="inner")
    both["rise"] = both["zone_mean"] - both["background_mean"]
    return both.reset_index().loc[:, cols]


__all__ = [
    "ROLES",
    "STAT_COLUMNS",
    "exceedance_hours",
    "monitor_exceedance_hours",
    "role_statistics",
    "window_rise",
]
