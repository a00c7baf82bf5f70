"""Which term drove the recommendation: the chosen policy against its grid neighbours.

Why neighbours: "T400/A1000 is cheapest" does not tell a finance team what
to change when a price changes. The policy one grid step away on each lever
does: a smaller amount costs more recharges and saves interest, a lower
trigger breaks the risk limit or costs outage hours. So for each lever, the
next value tried below and above the chosen one (the other levers kept) is
either ruled out (its outage risk's upper bound is above the limit, or its
recharges a month above the cap) or dearer, and then the cost part that
rises most is what stops the choice moving that way. Each neighbour's
figures are the cost parts a year the summary stores
(docs/model.md#the-cost-of-a-policy), so the words can be checked against
the table.

Everything here works on plain numbers (``Candidate``), so it is tested on
hand-built tables without running a simulation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sim.account.format import percent
from sim.study.experiment import Levers
from sim.study.recommend import COST_PARTS, Recommendation, Score

Money = Callable[[float], str]
PART_WORDS = {
    "forfeited": "forfeited funds",
    "capital": "interest",
    "fees": "recharge costs",
    "outages": "outage costs",
    "penalties": "blocked-minute penalties",
}
"""A cost part as a sentence names what it adds or saves."""
PART_DRIVERS = {
    "forfeited": "forfeiture",
    "capital": "interest",
    "fees": "the cost per recharge",
    "outages": "the outage cost",
    "penalties": "the blocked-minute penalty",
}
"""A cost part as the term that sets a lever."""
RISK_LIMIT = "the risk limit"
CAP = "the cap on recharges a month"
TIE = "a tie in cost"


@dataclass(frozen=True)
class Candidate:
    """A grid policy as the drivers weigh it: its levers, cost parts a year, risk, recharges."""

    levers: Levers
    parts: Mapping[str, float]
    """Each part of ``COST_PARTS`` per year, major units (as the summary stores it)."""
    risk_upper: float
    """The 95 % upper bound of its outage risk a year."""
    recharges_per_month: float


@dataclass(frozen=True)
class Step:
    """One neighbour of the chosen policy: what keeps the choice from moving to it."""

    driver: str
    """``the risk limit``, ``the cap on recharges a month`` or a ``PART_DRIVERS`` term."""
    text: str
    """``A750 would add $12.00 a year in recharge costs and save $9.50 in interest``."""


def driver_sentences(
    candidates: Sequence[Candidate],
    chosen: int,
    rec: Recommendation,
    money: Money,
) -> list[str]:
    """One sentence per lever with a neighbour in the grid: what set the amount, the trigger.

    Nothing when the recommendation did not qualify (it is the safest, not the
    cheapest, so no term "set" it).
    """
    if not rec.qualifies:
        return []
    sentences = []
    for lever, word, letter in (("amount", "amount", "A"), ("trigger", "trigger", "T")):
        low, high = neighbours(candidates, chosen, lever)
        steps = [
            step(candidates[chosen], candidates[i], f"{letter}{_value(candidates[i], lever):g}",
                 rec, money)
            for i in (low, high)
            if i is not None
        ]  # fmt: skip
        if steps:
            sentences.append(_lever_sentence(word, steps))
    return sentences


def neighbours(candidates: Sequence[Candidate], chosen: int, lever: str) -> tuple[int | None, ...]:
    """The grid policies one step below and above the chosen on ``lever``, the others equal."""
    this = candidates[chosen]
    others = ("trigger", "amount", "initial")
    same = [
        i
        for i, candidate in enumerate(candidates)
        if all(_value(candidate, name) == _value(this, name) for name in others if name != lever)
        and candidate.levers.auto_recharge
    ]
    here = _value(this, lever)
    below = [i for i in same if _value(candidates[i], lever) < here]
    above = [i for i in same if _value(candidates[i], lever) > here]
    return (
        max(below, key=lambda i: _value(candidates[i], lever)) if below else None,
        min(above, key=lambda i: _value(candidates[i], lever)) if above else None,
    )


def step(chosen: Candidate, other: Candidate, name: str, rec: Recommendation, money: Money) -> Step:
    """Why ``other`` (called ``name``) was not chosen: a rule it breaks, or what it costs more."""
    if other.risk_upper > rec.limit:
        return Step(
            RISK_LIMIT,
            f"{name}'s outage risk upper bound is {percent(other.risk_upper)} a year, above the "
            f"{percent(rec.limit)} limit",
        )
    if rec.cap is not None and other.recharges_per_month > rec.cap:
        return Step(
            CAP,
            f"{name} would mean {other.recharges_per_month:.1f} recharges a month, above the "
            f"cap of {rec.cap:g}",
        )
    change = {part: other.parts[part] - chosen.parts[part] for part in COST_PARTS}
    rise = max(COST_PARTS, key=lambda part: change[part])
    fall = min(COST_PARTS, key=lambda part: change[part])
    zero = money(0.0)
    if change[rise] <= 0 or money(change[rise]) == zero:
        return Step(TIE, f"{name} would cost the same (a tie goes to the lower risk bound)")
    text = f"{name} would add {money(change[rise])} a year in {PART_WORDS[rise]}"
    if change[fall] < 0 and money(-change[fall]) != zero:
        text += f" and save {money(-change[fall])} in {PART_WORDS[fall]}"
    return Step(PART_DRIVERS[rise], text)


def cap_sentence(rec: Recommendation, scores: Sequence[Score], money: Money) -> str | None:
    """When the cap on recharges a month excluded cheaper policies: how many, the cheapest."""
    if not rec.qualifies or rec.cap is None:
        return None
    chosen = scores[rec.index].cost.estimate
    cheaper = [i for i in rec.capped if scores[i].cost.estimate < chosen]
    if not cheaper:
        return None
    first = scores[cheaper[0]]
    count = "1 cheaper policy" if len(cheaper) == 1 else f"{len(cheaper)} cheaper policies"
    monthly = first.recharges_per_month or 0.0
    return (
        f"The cap of {rec.cap:g} recharges a month excluded {count} within the risk limit; "
        f"the cheapest, {first.label}, costs {money(first.cost.estimate)} a year with "
        f"{monthly:.1f} recharges a month."
    )


def _lever_sentence(word: str, steps: Sequence[Step]) -> str:
    """``The amount is set by X against Y: <below>; <above>.``"""
    terms = list(dict.fromkeys(item.driver for item in steps))
    return f"The {word} is set by {' against '.join(terms)}: {'; '.join(s.text for s in steps)}."


def _value(candidate: Candidate, lever: str) -> Decimal:
    value: Decimal | None = getattr(candidate.levers, lever)
    return Decimal(-1) if value is None else value
