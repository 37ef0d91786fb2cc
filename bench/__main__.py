"""`python -m bench`: run every bench/bench_*.py module's `run()` and print one table.

`python -m bench import cpm` runs only the modules named bench_import and bench_cpm.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only or n in only]
    return names


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(key, "")
    if key == "value" and row.get("unit"):
        return f"{value} {row['unit']}"
    if key == "ok":
        return "ok" if value else "MISSED"
    return str(value)


def main(argv: list[str]) -> int:
    table: list[tuple[str, ...]] = []
    failed = False
    for name in _modules(argv):
        try:
            rows = importlib.import_module(f"bench.{name}").run()
        except Exception:
            traceback.print_exc()
            table.append((name.removeprefix("bench_"), "(failed to run)", "", "", "MISSED"))
            failed = True
            continue
        for row in rows:
            metric = row.get("metric") or row.get("name", "")
            table.append((
                name.removeprefix("bench_"), str(metric), _cell(row, "value"),
                _cell(row, "target"), _cell(row, "ok"),
            ))  # fmt: skip
            failed = failed or not row.get("ok", True)
    header = ("benchmark", "metric", "value", "target", "ok")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
