"""The report's "Calibration and holdout" section: where the scenario came from, how well it did.

Why in the report: ``credsim plan`` writes a decision document from the
tenant's own exports, and a reader must see, beside the recommendation, what
was measured (per service: calls, level, growth, dispersion, big days), what
was assumed, and whether the fitted scenario foresaw the months it was not
shown. Every figure is the ``Calibration``'s own (``sim.study.calibration``),
word for word what ``credsim calibrate`` prints and ``calibration.json`` holds.
"""

from __future__ import annotations

import plotly.graph_objects as go

from sim.study.calibration import Calibration, Holdout
from sim.views.charts_calibration import holdout_chart
from sim.views.report_sensitivity import Table
from sim.world.service_names import words

FIGURE_IDS = ("fig-holdout",)
"""The section's figures (only when the calibration held months out)."""
HEADING = "Calibration and holdout"


def figures(calibration: Calibration) -> list[tuple[str, str, go.Figure]]:
    """The holdout chart, when months were held out."""
    holdout = calibration.holdout
    if holdout is None:
        return []
    return [("fig-holdout", _caption(holdout), holdout_chart(holdout))]


def lines(calibration: Calibration, grid_note: str = "") -> tuple[str, ...]:
    """The holdout's verdict, then where the swept grid came from."""
    return (_verdict(calibration.holdout), *([grid_note] if grid_note else []))


def tables(calibration: Calibration) -> tuple[Table, ...]:
    """What was fitted per service; the holdout per month and service."""
    shown = [_services_table(calibration)]
    if calibration.holdout is not None:
        shown.append(_holdout_table(calibration.holdout))
    return tuple(shown)


def notes(calibration: Calibration) -> tuple[str, ...]:
    """The assumptions (not measurable from an export), then the fit's own notes."""
    return (*(f"Assumption: {text}" for text in calibration.assumptions), *calibration.notes)


def intro(calibration: Calibration) -> str:
    """Why the section is there."""
    services = ", ".join(words(fit.service) for fit in calibration.fits)
    return (
        "The scenario behind these results was fitted to the tenant's own usage export "
        f"(credit-billed services: {services}); docs/calibration.md says how each figure is "
        "measured. Numbers the export cannot tell are assumptions, listed below."
    )


def _verdict(holdout: Holdout | None) -> str:
    if holdout is None:
        return "No months were held out, so the fit was not checked against unseen months."
    return (
        f"Fitted on the data until {holdout.fitted_until} and simulated {holdout.replications} "
        f"times over the {len(holdout.months)} month(s) after: {holdout.months_inside} of "
        f"{len(holdout.months)} month(s) inside the 90 % band; the simulated total is "
        f"{holdout.total_error_pct:+.1f} % off the actual."
    )


def _caption(holdout: Holdout) -> str:
    return (
        "Each held-out month's actual credit-billed spend (red when outside the band) and the "
        f"fitted scenario's mean with its 90 % band (5th to 95th percentile of "
        f"{holdout.replications} simulations)."
    )


def _services_table(calibration: Calibration) -> Table:
    return Table(("What was fitted, per credit-billed service",),
                 tuple((fit.summary(),) for fit in calibration.fits))  # fmt: skip


def _holdout_table(holdout: Holdout) -> Table:
    scale = holdout.currency.minor_per_major
    code = holdout.currency.code
    rows = tuple(
        (
            cell.month, words(cell.service), f"{cell.actual_minor / scale:,.2f}",
            f"{cell.mean_minor / scale:,.2f}",
            f"{cell.p5_minor / scale:,.2f} to {cell.p95_minor / scale:,.2f}",
            "inside" if cell.inside else "OUTSIDE",
        )
        for cell in holdout.cells
    )  # fmt: skip
    head = ("month", "service", f"actual ({code})", f"simulated mean ({code})",
            "90 % band", "")  # fmt: skip
    return Table(head, rows)
