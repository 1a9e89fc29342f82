"""Write the UCI Beijing Multi-Site hourly files as national archive day files (test tooling).

Source: ../shared/validation/uci_beijing_multisite (UCI dataset 501, DOI 10.24432/C5RK5G, CC BY 4.0;
Zhang et al. 2017, Proc. R. Soc. A 473: 20170457). The 12 files are Beijing's 12 national (国控)
stations; the national codes are those of the national station list (validation SOURCES.md §1).

Conversion, and what it assumes:
- one file ``china_sites_YYYYMMDD.csv`` per day, layout ``date,hour,type,1001A..1012A`` with the
  hourly rows PM2.5, PM10, SO2, NO2, O3, CO (the layout ``envmon ratio``/``assess`` read);
- UCI row (year, month, day, hour H) becomes row ``date=D, hour=H``: the UCI hour is read with the
  national convention (the value labelled H:00 is the hour ending at H:00). The dataset does not say
  which convention it uses (SOURCES.md §1);
- CO is in µg/m³ in UCI and is divided by 1,000 (mg/m³); ``NA`` becomes an empty cell.

Run by hand: ``python -m tests.tools.uci_archive OUT_DIR`` (all days, 2013-03-01..2017-02-28).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

#: UCI station name -> national code (validation SOURCES.md §1 table).
UCI_CODES = {
    "Wanshouxigong": "1001A",
    "Dingling": "1002A",
    "Dongsi": "1003A",
    "Tiantan": "1004A",
    "Nongzhanguan": "1005A",
    "Guanyuan": "1006A",
    "Wanliu": "1007A",
    "Shunyi": "1008A",
    "Huairou": "1009A",
    "Changping": "1010A",
    "Aotizhongxin": "1011A",
    "Gucheng": "1012A",
}
NATIONAL_12 = ",".join(sorted(UCI_CODES.values()))
#: archive ``type`` -> (UCI column, factor to the archive unit)
_TYPES = {
    "PM2.5": ("PM2.5", 1.0),
    "PM10": ("PM10", 1.0),
    "SO2": ("SO2", 1.0),
    "NO2": ("NO2", 1.0),
    "O3": ("O3", 1.0),
    "CO": ("CO", 1e-3),
}


def read_uci(uci_dir: Path) -> pd.DataFrame:
    """All 12 UCI files as one long frame: date (YYYYMMDD), hour, station code, and the six columns."""
    frames = []
    for path in sorted(uci_dir.glob("PRSA_Data_*_20130301-20170228.csv")):
        raw = pd.read_csv(path, na_values=["NA"])
        raw["code"] = raw["station"].map(UCI_CODES)
        frames.append(raw)
    if len(frames) != 12:
        raise FileNotFoundError(
            f"{uci_dir}: expected the 12 UCI station files, found {len(frames)}"
        )
    df = pd.concat(frames, ignore_index=True)
    df["date"] = df["year"] * 10000 + df["month"] * 100 + df["day"]
    return df


def write_archive(
    uci_dir: Path, out_dir: Path, first: int = 0, last: int = 99999999, *, per_day: bool = True
) -> int:
    """Write the days ``first <= YYYYMMDD <= last`` as one archive file per day (``per_day``), or as
    one file ``uci_beijing_national12.csv`` holding them all (same rows; parsed in one pass, much
    faster to read back); returns the file count."""
    df = read_uci(uci_dir)
    df = df[(df["date"] >= first) & (df["date"] <= last)]
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = sorted(UCI_CODES.values())
    parts = []
    for typ, (col, factor) in _TYPES.items():
        wide = df.pivot_table(index=["date", "hour"], columns="code", values=col, aggfunc="first")
        wide = (wide * factor).reindex(columns=codes)
        wide.insert(0, "type", typ)
        parts.append(wide.reset_index())
    table = pd.concat(parts, ignore_index=True).sort_values(["date", "hour"], kind="stable")
    if not per_day:
        table[["date", "hour", "type", *codes]].to_csv(
            out_dir / "uci_beijing_national12.csv", index=False, na_rep="", float_format="%.6g"
        )
        return 1
    n = 0
    for date, rows in table.groupby("date", sort=True):
        rows[["date", "hour", "type", *codes]].to_csv(
            out_dir / f"china_sites_{date}.csv", index=False, na_rep="", float_format="%.6g"
        )
        n += 1
    return n


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[3] / "shared" / "validation" / "uci_beijing_multisite"
    count = write_archive(root if len(sys.argv) < 3 else Path(sys.argv[2]), Path(sys.argv[1]))
    print(f"wrote {count} day files")
