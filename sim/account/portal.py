"""The Microsoft 365 admin portal's limits on Communications Credits settings, per currency.

Why one module: the portal refuses a trigger under its minimum, an amount that is
not whole, a purchase under the minimum funding; a plan the portal would refuse
cannot be put in place, so every command and the dashboard warn about it the
same way (``--strict`` refuses it). Before this table the rule lived in three
places and applied USD's 50 to JPY.

What Microsoft publishes (USD only; cited in docs/model.md, "The portal's limits"):

- ``Teams/what-are-communications-credits.md`` ("Recommended funding amounts"):
  a funding amount can be "even the minimum of $50".
- MicrosoftDocs/OfficeDocs-SkypeForBusiness issue #462 ("Minimum funding amount
  increased to $50", 2018): the portal refused an auto-recharge trigger of $40 with
  "Please enter a whole number greater than or equal to 50".

Everything else in the table is an assumption, and says so in ``basis``.
Amounts are ``Decimal`` major units, as a planner types them into the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PUBLISHED_USD = (
    "published for USD: Teams/what-are-communications-credits.md (minimum funding $50) and "
    "OfficeDocs-SkypeForBusiness issue #462 (the trigger field takes a whole number >= 50)"
)
"""Where the USD figures come from (docs/model.md, "The portal's limits")."""


@dataclass(frozen=True, slots=True)
class PortalRules:
    """What the portal accepts in one currency, and on what basis.

    ``minimum_trigger`` bounds the auto-recharge trigger ("When the balance falls
    below"); ``minimum_amount`` bounds every purchase: the recharge amount, the
    initial "Add funds" and a manual or scheduled top-up. ``whole`` means the
    fields take whole currency units only.
    """

    code: str
    minimum_trigger: Decimal
    minimum_amount: Decimal
    whole: bool
    published: bool
    basis: str


_PARITY = (
    "assumed: Microsoft publishes no figure for {code}; its local price lists keep about the "
    "same number of major units as USD, so the USD minimum of 50 is taken as is"
)
_JPY = (
    "assumed: Microsoft publishes no figure for JPY; USD 50 at the low end of 100-160 JPY per "
    "USD, 5,000 JPY, so that only amounts the portal surely refuses are flagged"
)
_OTHER = (
    "assumed: Microsoft publishes no figure for {code} and credsim has no rule for it; only "
    "whole amounts are checked"
)
_PARITY_CODES = ("EUR", "GBP", "CHF", "CAD", "AUD", "NZD")
"""Currencies whose major unit is close to the dollar's (0.6 to 1.3 USD)."""

TABLE: dict[str, PortalRules] = {
    "USD": PortalRules("USD", Decimal(50), Decimal(50), True, True, PUBLISHED_USD),
    "JPY": PortalRules("JPY", Decimal(5000), Decimal(5000), True, False, _JPY),
    **{
        code: PortalRules(code, Decimal(50), Decimal(50), True, False, _PARITY.format(code=code))
        for code in _PARITY_CODES
    },
}
"""The portal's rules per ISO 4217 code; ``rules`` covers every other currency."""


def rules(code: str) -> PortalRules:
    """The rules for currency ``code``: its row, or whole amounts and no minimum (an assumption
    stated in ``basis``) for a currency the table lacks."""
    found = TABLE.get(code.upper())
    if found is not None:
        return found
    return PortalRules(code.upper(), Decimal(0), Decimal(0), True, False, _OTHER.format(code=code))


LEVERS = ("trigger", "amount", "initial", "manual_top_up", "monthly_top_up")
"""The levers the portal checks, in the order findings are given."""
RULES = ("minimum", "whole")
"""The rules, in the order findings on one lever are given."""
NAMES = {"initial": "initial balance", "manual_top_up": "manual top-up",
         "monthly_top_up": "monthly top-up"}  # fmt: skip
"""How a lever is named in a message (the others by their own name)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One setting the portal would refuse: which lever, its value, and the broken rule."""

    lever: str
    value: Decimal
    rule: str  # "whole" or "minimum"
    rules: PortalRules

    def message(self, whose: str = "") -> str:
        """One line for a person, e.g. ``trigger 20 is below the admin portal's minimum ...``."""
        return describe(self.lever, [self.value], self.rule, self.rules, whose)

    def to_dict(self, whose: str = "") -> dict[str, str]:
        """The JSON outputs' shape: the lever, its value as typed, the rule, and ``message``
        (the warning's own words, so a machine and a person read one wording)."""
        return {
            "lever": self.lever,
            "value": str(self.value),
            "currency": self.rules.code,
            "rule": self.rule,
            "message": self.message(whose),
        }


def describe(
    lever: str, values: list[Decimal], rule: str, found: PortalRules, whose: str = ""
) -> str:
    """The message for one or more values of one lever breaking one rule (sweeps group them)."""
    one = len(values) == 1
    name = NAMES.get(lever, lever) + ("" if one else "s")
    shown = ", ".join(str(value) for value in values)
    verb, it = ("is", "it") if one else ("are", "them")
    assumed = "" if found.published else f" (assumed: no figure published for {found.code})"
    if rule == "whole":
        what = f"{verb} not {'a whole amount' if one else 'whole amounts'}: the admin portal "
        what += f"takes whole {found.code} amounts"
    else:
        minimum = found.minimum_trigger if lever == "trigger" else found.minimum_amount
        what = f"{verb} below the admin portal's minimum of {minimum:,} {found.code}{assumed}"
    return f"{whose}{name} {shown} {what}; the portal would refuse {it}"


def findings(
    code: str,
    *,
    trigger: Decimal | None = None,
    amount: Decimal | None = None,
    initial: Decimal | None = None,
    manual_top_up: Decimal | None = None,
    monthly_top_up: Decimal | None = None,
) -> tuple[Finding, ...]:
    """Every portal rule the policy breaks in currency ``code``; () when the portal takes it.

    A lever that is None is not set (auto-recharge off, no top-up). An initial
    balance of 0 is no purchase at all, so no minimum applies to it.
    """
    found = rules(code)
    levers = (  # in LEVERS order
        ("trigger", trigger, found.minimum_trigger),
        ("amount", amount, found.minimum_amount),
        ("initial", initial if initial else None, found.minimum_amount),
        ("manual_top_up", manual_top_up, found.minimum_amount),
        ("monthly_top_up", monthly_top_up, found.minimum_amount),
    )
    result: list[Finding] = []
    for lever, value, minimum in levers:
        if value is None:
            continue
        if value < minimum:
            result.append(Finding(lever, value, "minimum", found))
        if found.whole and value != value.to_integral_value():
            result.append(Finding(lever, value, "whole", found))
    return tuple(result)


def grouped(items: list[Finding], whose: str = "") -> list[str]:
    """One line per (lever, rule), its values ascending and each once: a sweep's grid of
    twenty triggers under the minimum is one line, not twenty."""
    groups: dict[tuple[str, str], tuple[PortalRules, set[Decimal]]] = {}
    for item in items:
        groups.setdefault((item.lever, item.rule), (item.rules, set()))[1].add(item.value)
    order = sorted(groups, key=lambda key: (LEVERS.index(key[0]), RULES.index(key[1])))
    return [
        describe(key[0], sorted(groups[key][1]), key[1], groups[key][0], whose) for key in order
    ]
