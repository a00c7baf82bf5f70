"""A bug on a dashboard page: a friendly line for the planner, the traceback in the server's log.

Why: a traceback in the page shows a planner nothing they can act on, and it
can show a server's paths and data to whoever has the URL (Streamlit's own
error details are off: ``client.showErrorDetails = "none"``). The planner
gets one line with a short reference; the server's log (its stderr) gets the
full traceback under the same reference, so a report can be matched to it.
Bad input (``InputError``) is not a bug and never comes here.
"""

from __future__ import annotations

import logging
import secrets
import sys

import streamlit as st

LOG = logging.getLogger("credsim.dashboard")


def _logged() -> logging.Logger:
    """The dashboard's logger, writing to the server's stderr (once per process)."""
    if not LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
        LOG.propagate = False
    return LOG


def log() -> logging.Logger:
    """The logger every dashboard module writes to (failures, stopped jobs)."""
    return _logged()


def reference() -> str:
    """A short id that a planner can quote and an operator can find in the log."""
    return secrets.token_hex(4)


def show_bug(error: BaseException) -> str:
    """Log ``error`` with its traceback under a new reference; show the friendly line."""
    ref = reference()
    _logged().error("internal error, reference %s", ref, exc_info=error)
    st.error(
        f"Something went wrong on our side; the details are in the server log, reference {ref}."
    )
    return ref
