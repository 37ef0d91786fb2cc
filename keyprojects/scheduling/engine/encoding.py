"""Guess the text encoding of a schedule file: UTF-8, else GBK or cp1252.

Chinese text in GBK is made of byte pairs above 0x7F that come in runs of even length;
Western text in cp1252 has mostly single accented bytes between ASCII letters.
"""

from __future__ import annotations

import re

from .errors import ScheduleFileError

_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _looks_like_gbk(data: bytes) -> bool:
    runs = [len(m) for m in _HIGH_RUN.findall(data)]
    if not runs:
        return False
    even = sum(1 for n in runs if n % 2 == 0)
    return even / len(runs) > 0.8 and sum(runs) / len(runs) >= 2


def decode_text(data: bytes, encoding: str | None = None, *, table: str = "file") -> str:
    """Decode with `encoding` when given, else detect UTF-8, GBK or cp1252."""
    if encoding is not None:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ScheduleFileError(
                "The file cannot be decoded with the given encoding", table=table, value=encoding
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    order = ("gbk", "cp1252") if _looks_like_gbk(data) else ("cp1252", "gbk")
    for name in order:
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    raise ScheduleFileError("The file is not in a supported text encoding", table=table)
