"""The scenario schema's building blocks: checked number types and distribution tables.

Why a module of its own: every section of ``sim.world.scenario`` and the
distribution samplers (``sim.world.distributions``) share these types; a
distribution table (``{ dist = "lognormal", mean = 5, sd = 4 }``) is the same
wherever a scenario draws a duration, a count or a payment delay.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    model_validator,
)


def not_bool(value: object) -> object:
    """TOML ``true`` is not the number 1: refuse it where a number is expected."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


Number = Annotated[float, BeforeValidator(not_bool), Field(allow_inf_nan=False)]
Whole = Annotated[int, Strict()]
Fraction = Annotated[Number, Field(ge=0.0, le=1.0)]
Positive = Annotated[Number, Field(gt=0.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]
Money = Annotated[Decimal, BeforeValidator(not_bool), Field(ge=0, allow_inf_nan=False)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
NumberType = Literal["landline", "mobile"]
"""The number types a user's own domestic calls reach."""


class Section(BaseModel):
    """Every section: frozen, and unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# -- distributions ------------------------------------------------------------


class Fixed(Section):
    """Always ``value``."""

    dist: Literal["fixed"]
    value: NonNegative


class Exponential(Section):
    """Exponential with the given mean."""

    dist: Literal["exponential"]
    mean: Positive


class LogNormal(Section):
    """Lognormal given by the mean and standard deviation of the value itself."""

    dist: Literal["lognormal"]
    mean: Positive
    sd: Positive


class Gamma(Section):
    """Gamma given by its mean and standard deviation."""

    dist: Literal["gamma"]
    mean: Positive
    sd: Positive


class Empirical(Section):
    """Draw from observed ``values`` (optionally weighted)."""

    dist: Literal["empirical"]
    values: list[NonNegative] = Field(min_length=1)
    weights: list[NonNegative] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be 0")
        return self


class Poisson(Section):
    """Poisson counts with the given mean."""

    dist: Literal["poisson"]
    mean: NonNegative


class NegativeBinomial(Section):
    """Over-dispersed counts given by mean and sd (sd^2 must exceed the mean)."""

    dist: Literal["negative_binomial"]
    mean: Positive
    sd: Positive

    @model_validator(mode="after")
    def _overdispersed(self) -> NegativeBinomial:
        if self.sd**2 <= self.mean:
            raise ValueError(
                f"sd(={self.sd}) squared must exceed mean(={self.mean}); "
                "use poisson for sd^2 = mean"
            )
        return self


Continuous = Annotated[
    Fixed | Exponential | LogNormal | Gamma | Empirical, Field(discriminator="dist")
]
Count = Annotated[Fixed | Poisson | NegativeBinomial | Empirical, Field(discriminator="dist")]
Delay = Annotated[Fixed | Exponential | LogNormal, Field(discriminator="dist")]
"""A payment delay's distribution in hours (``[payments]``): the kinds issue 12 names."""


def _delay_kind(value: object) -> str:
    """Which member of ``HoursOrDelay`` a value is for: a table, or else a number."""
    return "delay[table]" if isinstance(value, dict | BaseModel) else "delay[hours]"


HoursOrDelay = Annotated[
    Annotated[NonNegative, Tag("delay[hours]")] | Annotated[Delay, Tag("delay[table]")],
    Discriminator(_delay_kind),
]
"""A number of hours, or a ``Delay`` table.

Why a callable discriminator: a plain union reports both members' errors for
one bad value ("must be a number" beside the table's own rule). Its tags are
spelled like pydantic's internal location segments (``name[...]``), so
``sim.world.messages`` drops them from the key path it shows.
"""
