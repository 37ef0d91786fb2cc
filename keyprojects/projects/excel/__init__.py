"""Excel in and out of the project ledger (台账).

Upload → `ledger_preview(file, jurisdiction=…)` → show `preview.rows`, `.errors`,
`.warnings`, `.new_units` → confirm → `ledger_import(file, jurisdiction=…,
expected_fingerprint=preview.fingerprint)`. Export: `ledger_export(projects, year=…)`.
"""

from .export import ledger_export
from .imports import ledger_import, ledger_preview
from .preview import FieldDiff, LedgerPreview, NewUnit, PreviewRow
from .reader import Problem

__all__ = [
    "FieldDiff",
    "LedgerPreview",
    "NewUnit",
    "PreviewRow",
    "Problem",
    "ledger_export",
    "ledger_import",
    "ledger_preview",
]
