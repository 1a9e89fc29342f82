"""Golden pairs: ``tests/data/<upstream>/<case>.<ext>`` beside ``<case>.expected.json``.

Set ``ENVMON_REGEN_GOLDEN=1`` to (re)write the expected files from the current parser output; review
the diff before committing it.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from stations.model import Parsed

DATA = Path(__file__).resolve().parents[2] / "data"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                row[k] = v.isoformat()
            elif isinstance(v, float):
                row[k] = None if math.isnan(v) else round(v, 9)
            elif hasattr(v, "item"):
                row[k] = v.item()
            else:
                row[k] = v
        out.append(row)
    return out


def as_json(parsed: Parsed) -> dict[str, Any]:
    return {
        "readings": _records(parsed.readings),
        "samples": _records(parsed.samples),
        "rejected": [
            {"row": r.row, "reason": r.reason, "field": r.field, "line": r.line}
            for r in parsed.rejected
        ],
    }


def check_golden(case: Path, parsed: Parsed) -> None:
    expected_path = case.with_name(case.name.rsplit(".", 1)[0] + ".expected.json")
    got = as_json(parsed)
    if os.environ.get("ENVMON_REGEN_GOLDEN"):
        expected_path.write_text(
            json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got == expected
