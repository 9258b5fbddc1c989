"""Carrier events from a CSV file, one event per row (shared by the API upload and the CLI).

Columns: ``event_id``, ``status``, ``occurred_at`` (ISO 8601 with an offset, or Unix seconds) and
``package_id`` or ``tracking_number``; optional ``carrier``, ``description``, ``location`` and
``reason``. Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from splitship.services.catalog import RowError
from splitship.services.tracking_events import EventInput

REQUIRED = ("event_id", "status", "occurred_at")
MAX_ROWS = 10_000


def read_events_csv(text: str) -> tuple[list[EventInput], list[RowError]]:
    """Events of the rows that parse, and one error per row (and field) that does not."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] = []
    events: list[EventInput] = []
    errors: list[RowError] = []
    for number, cells in enumerate(reader, start=1):
        if not header:
            header = [c.strip().lower() for c in cells]
            missing = [c for c in REQUIRED if c not in header]
            if "package_id" not in header and "tracking_number" not in header:
                missing.append("package_id or tracking_number")
            if missing:
                return [], [RowError(1, missing[0], f"missing column(s): {', '.join(missing)}")]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(events) + len(errors) >= MAX_ROWS:
            errors.append(RowError(number, "", f"more than {MAX_ROWS} rows: split the file"))
            break
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        when, problem = _timestamp(row.get("occurred_at", ""))
        if when is None:
            errors.append(RowError(number, "occurred_at", problem))
            continue
        events.append(
            EventInput(
                event_id=row.get("event_id", ""),
                status=row.get("status", ""),
                occurred_at=when,
                package_id=row.get("package_id") or None,
                tracking_number=row.get("tracking_number") or None,
                carrier_code=row.get("carrier") or None,
                description=row.get("description", ""),
                location=row.get("location", ""),
                reason=row.get("reason") or None,
                row=number,
            )
        )
    if not header:
        errors.append(RowError(1, "", "the file is empty: it needs a header row"))
    return events, errors


def _timestamp(value: str) -> tuple[datetime | None, str]:
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC), ""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, f"{value!r} is not a time; use ISO 8601 like 2026-11-26T10:00:00+08:00"
    if parsed.tzinfo is None:
        return None, f"{value!r} has no time zone; add one like +08:00 or Z"
    return parsed.astimezone(UTC), ""
