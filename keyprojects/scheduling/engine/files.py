"""Read a schedule file of either supported format, chosen by its name or content."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ScheduleFileError
from .model import Schedule
from .mspdi_read import read_mspdi
from .xer_read import DEFAULT_MAX_BYTES, read_xer


def read_schedule_file(
    path: str | os.PathLike[str], *, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Schedule:
    """Read a `.xer` or MS Project `.xml` file."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xer":
        return read_xer(target, encoding=encoding, max_bytes=max_bytes)
    if suffix == ".xml":
        return read_mspdi(target, encoding=encoding, max_bytes=max_bytes)
    try:
        with target.open("rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        raise ScheduleFileError("The file cannot be opened", value=target.name) from exc
    if head.startswith(b"ERMHDR"):
        return read_xer(target, encoding=encoding, max_bytes=max_bytes)
    if head.lstrip().startswith(b"<"):
        return read_mspdi(target, encoding=encoding, max_bytes=max_bytes)
    raise ScheduleFileError("The file type is not supported", value=target.name)
