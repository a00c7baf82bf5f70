"""The Capability column of a PSTN usage report: which licence carried the call.

Why a table: whether a row draws on Communications Credits depends on the licence
named in its Capability column, and a new licence is a new row here, not a new
branch in a parser. Source: Microsoft Learn, "Microsoft Teams PSTN usage report"
(the Capability list of the Calling Plans tab); MCOPSTNEAU and MCOPSTNEAU2 are the
service plans of Telstra Calling for Office 365 in Microsoft's "Product names and
service plan identifiers for licensing" list. docs/model.md shows the same table.

How a row is read (``sim.calls.usage_rows``): the Charge column stays what the
tenant was billed, so a charged row is billed to credits whatever its licence. A
row with no charge is counted as not credit-billed under its licence's reason
(``calling_plan``, ``audio_conferencing``; ``zero_charge`` for the credit
licences and for unknown or blank capabilities). A charged row under a licence
that is never paid from credits (a Calling Plan) is a contradiction in the report:
it is billed as written and counted (``charged_under_plan``) so the backtest
warns, since either the report or the tenant's plan assignment is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Capability:
    """One licence as it appears in the Capability column."""

    code: str
    licence: str
    credits_when_charged: bool
    """Whether a charged row under this licence is expected: paid from credits."""
    free_reason: str
    """The not-credit-billed reason of a row under this licence with no charge."""


ZERO_CHARGE = "zero_charge"

CAPABILITIES: tuple[Capability, ...] = (
    Capability("MCOPSTNPP", "Communications Credits", True, ZERO_CHARGE),
    Capability("MCOMEETACPEA", "Pay-per-minute Audio Conferencing", True, ZERO_CHARGE),
    # toll-free dial-in and dial-out beyond the licence's minutes are paid from credits
    Capability("MCOMEETADD", "Audio Conferencing", True, "audio_conferencing"),
    Capability("MCOPSTN1", "Domestic Calling Plan", False, "calling_plan"),
    Capability("MCOPSTN2", "International Calling Plan", False, "calling_plan"),
    Capability("MCOPSTN5", "Domestic Calling Plan (120 minutes)", False, "calling_plan"),
    Capability("MCOPSTN6", "Domestic Calling Plan (240 minutes)", False, "calling_plan"),
    Capability("MCOPSTNEAU", "Telstra Calling for Office 365", False, "calling_plan"),
    Capability("MCOPSTNEAU2", "Telstra Calling for Office 365", False, "calling_plan"),
)
"""Every licence the reader knows; any other code reads as ``MCOPSTNPP`` does."""

BY_CODE = {capability.code: capability for capability in CAPABILITIES}
