"""One call set written in each export variant (Teams CSV, admin-center zip, Excel re-save).

Shared by the export tests and the corpus: the Teams fixture is the call set;
its ``dr_`` rows go to the zip's Direct Routing member, the others to its PSTN
member; the Excel re-save rewrites each time as ``dd/mm/yyyy hh:mm:ss`` or
``mm/dd/yyyy hh:mm:ss``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

from tests.paths import FIXTURES

TEAMS_FILE = FIXTURES / "teams_pstn_calls.csv"
PSTN_MEMBER = "PSTN.calls.2025-01-31.csv"
DR_MEMBER = "DirectRouting.calls.2025-01-31.csv"
DR_HEADER = ("Correlation ID", "SIP Address", "Call Type", "Invite time", "Start time",
             "End time", "Failure time")  # fmt: skip
_FORMATS = {"dmy": "%d/%m/%Y %H:%M:%S", "mdy": "%m/%d/%Y %H:%M:%S"}


def teams_rows(path: Path = TEAMS_FILE) -> tuple[list[str], list[list[str]]]:
    """A Teams report's header and data rows (the fixture's by default)."""
    text = path.read_text(encoding="utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    return header, rows


def _csv(header: list[str] | tuple[str, ...], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def excel_resaved(order: str, path: Path = TEAMS_FILE) -> bytes:
    """A Teams report with every Start Time and End Time written in ``order`` (dmy or mdy)."""
    header, rows = teams_rows(path)
    times = [header.index("Start Time"), header.index("End Time")]
    for row in rows:
        for index in times:
            if row[index]:
                row[index] = datetime.fromisoformat(row[index]).strftime(_FORMATS[order])
    return _csv(header, rows)


def direct_routing_csv() -> bytes:
    """The fixture's ``dr_`` rows as a Direct Routing report (start and end as written)."""
    header, rows = teams_rows()
    kind, start, end = (header.index(name) for name in ("Call Type", "Start Time", "End Time"))
    out = [
        [f"id-{number}", "sip:user@contoso.com", row[kind], row[start], row[start], row[end], ""]
        for number, row in enumerate(rows)
        if row[kind].startswith("dr_")
    ]
    return _csv(DR_HEADER, out)


def export_zip(path: Path, *extra: tuple[str, bytes]) -> Path:
    """The admin-center export of the fixture's calls (plus ``extra`` members) at ``path``."""
    header, rows = teams_rows()
    kind = header.index("Call Type")
    pstn = _csv(header, [row for row in rows if not row[kind].startswith("dr_")])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("parameters.json", '{"from": "2025-01-01", "to": "2025-01-31"}')
        archive.writestr(PSTN_MEMBER, pstn)
        archive.writestr(DR_MEMBER, direct_routing_csv())
        for name, data in extra:
            archive.writestr(name, data)
    return path


def zip_bomb(path: Path) -> Path:
    """An export whose PSTN member is 20 MB of zeros that deflate to about 20 kB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PSTN_MEMBER, bytes(20 * 1024 * 1024))
    return path


def traversal_zip(path: Path) -> Path:
    """An export with a member named to land outside any folder it were extracted to."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(PSTN_MEMBER, TEAMS_FILE.read_bytes())
        archive.writestr("../../secret.csv", b"x")
    return path
