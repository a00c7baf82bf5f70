"""Service and pool names in words, for legends and tables (``toll-free dial-in``).

Why one mapping: files, JSON keys and metric names keep the machine names
(``toll_free_dial_in``, ``blocked_by_service.dial_out.calls``), which a planner
should never have to read. Every view (charts, the dashboard's tables, the
KPI labels of per-service figures) takes its words from ``words`` here, so a
service is called the same thing on every screen.
"""

from __future__ import annotations

WORDS = {
    "toll_free_dial_in": "toll-free dial-in",
    "dial_out": "dial-out",
    "inbound": "inbound call",
    "dial_in": "dial-in",
    "domestic": "domestic",
    "international": "international",
    "auto_recharge": "auto-recharge",
    "initial": "initial purchase",
    "opening": "opening balance",
}
"""Names the model itself uses (services, minute pools, funding sources), in words."""


def words(name: str) -> str:
    """``toll_free_dial_in`` -> ``toll-free dial-in``; a scenario's own name with spaces."""
    return WORDS.get(name, name.replace("_", " "))
