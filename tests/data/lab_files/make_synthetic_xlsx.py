"""Writes synthetic_monthly_en.xlsx: a SYNTHETIC lab export (English headers, Excel dates, a title row).

Not real measurements; written for envmon's parser tests. Run: .venv/bin/python tests/data/lab_files/make_synthetic_xlsx.py
"""

import datetime as dt
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "results"
ws.append(["Zhoushan surface water, manual monitoring, March 2024 (SYNTHETIC test data)"])
ws.append([])
ws.append(
    [
        "Section",
        "Sampling_date",
        "pH",
        "DO (mg/L)",
        "CODMn (mg/L)",
        "NH3-N (mg/L)",
        "TP (mg/L)",
        "TN (mg/L)",
        "Cu (μg/L)",
        "Hg (ug/L)",
        "Fecal coliform (MPN/100mL)",
        "Remark",
    ]
)
ws.append(
    [
        "ZS-W01",
        dt.datetime(2024, 3, 5, 9, 30),
        7.6,
        9.1,
        2.3,
        0.12,
        0.021,
        0.86,
        2.1,
        "ND",
        33,
        None,
    ]
)
ws.append(
    ["城北水库", dt.datetime(2024, 3, 5), 7.8, 8.7, 2.9, 0.21, 0.035, 1.12, 1.6, "<0.04", 79, None]
)
ws.append(["ZS-W03", "2024-03-06", 6.9, 5.4, 4.8, 0.78, 0.092, 1.86, 3.4, 0.05, 490, "after rain"])
ws.append(["ZS-W03", "2024-03-07", 7.1, 5.9, "n/a", "", 0.088, 1.70, 3.1, "ND", "TNTC", None])
wb.save(HERE / "synthetic_monthly_en.xlsx")
