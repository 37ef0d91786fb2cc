"""`schedule FILE.xer|FILE.xml [--json]`: schedule a file and print the dates.

The Django management command `keyprojects schedule` calls `main`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from .conformance import compare_with_reference
from .cpm import schedule
from .errors import SchedulingError
from .files import read_schedule_file


def _minute(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="schedule", description="Schedule a P6 or MSPDI file.")
    parser.add_argument("file", help="a .xer or MS Project .xml file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--encoding", default=None, help="text encoding (default: detect)")
    return parser


def main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 bad file or schedule, 2 usage)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args_in = list(argv)
    if args_in and args_in[0] == "schedule":
        args_in = args_in[1:]
    try:
        args = _parser().parse_args(args_in)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        model = read_schedule_file(args.file, encoding=args.encoding)
        result = schedule(model)
    except SchedulingError as exc:
        print(f"error: {exc}", file=err)
        return 1
    rows = [result.activities[a.id] for a in model.activities]
    has_reference = any(a.reference is not None for a in model.activities)
    report = compare_with_reference(model, result) if has_reference else None
    if args.json:
        payload = [
            {
                "task_code": r.code,
                "early_start": _minute(r.early_start),
                "early_finish": _minute(r.early_finish),
                "late_start": _minute(r.late_start),
                "late_finish": _minute(r.late_finish),
                "total_float_hours": round(r.total_float_hours, 2),
            }
            for r in rows
        ]
        json.dump(payload, out, ensure_ascii=False, indent=1)
        out.write("\n")
        if report is not None:
            print(report.summary(), file=err)
        return 0
    header = ("code", "early start", "early finish", "late start", "late finish", "float h", "crit")
    widths = [max(12, max((len(r.code) for r in rows), default=4)), 16, 16, 16, 16, 9, 4]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    for r in rows:
        cells = (
            r.code,
            _minute(r.early_start),
            _minute(r.early_finish),
            _minute(r.late_start),
            _minute(r.late_finish),
            f"{r.total_float_hours:9.2f}",
            "*" if r.critical else "",
        )
        out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")
    out.write(f"project finish {_minute(result.project_finish)}\n")
    if result.warnings:
        out.write(f"{len(result.warnings)} warnings (open ends and missed deadlines)\n")
    if report is not None:
        out.write(report.summary() + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
