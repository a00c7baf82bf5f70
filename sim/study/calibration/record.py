"""What a calibration returns: the fitted scenario and rates, per-service figures, holdout.

Why one record: the CLI prints it, ``--json`` dumps it, ``credsim plan`` and
the dashboard read it, and every one of them must say the same numbers; the
TOML and the rates are kept as text so that what is shown is exactly what is
written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sim.study.calibration.arrivals import ArrivalFit, Interval
from sim.study.calibration.bigdays import BigDays
from sim.study.calibration.destinations import Mix
from sim.study.calibration.durations import DurationFit
from sim.study.calibration.holdout import Holdout


@dataclass(frozen=True)
class ServiceFit:
    """The fitted figures of one credit-billed service."""

    service: str
    direction: str
    calls: int
    arrivals: ArrivalFit
    durations: DurationFit
    mix: tuple[Mix, ...]
    big: BigDays | None
    big_durations: DurationFit | None
    pooled: bool
    own_rate: tuple[Decimal, Decimal] | None = None
    """(rate_per_min, connection_fee) written on the stream when its one destination's
    table row, shared with another service, holds a different rate."""

    def to_dict(self) -> dict[str, object]:
        """The service's figures for ``--json``."""
        arrivals = self.arrivals
        return {
            "service": self.service,
            "direction": self.direction,
            "calls": self.calls,
            "months": arrivals.months,
            "business_days": arrivals.business_days,
            "calls_per_business_day": _interval(arrivals.level_per_day),
            "monthly_growth": _interval(arrivals.growth),
            "monthly_growth_used": arrivals.growth_used,
            "daily_dispersion": _interval(arrivals.dispersion),
            "daily_dispersion_used": arrivals.dispersion_used,
            "hour_of_week": arrivals.hour_of_week is not None,
            "holiday_factor": arrivals.holiday_factor,
            "durations": {"method": self.durations.method, **self.durations.spec},
            "destinations": [
                {"country": m.country, "number_type": m.number_type, "share": m.share}
                for m in self.mix
            ],
            "big_days": None if self.big is None else _big(self.big),
            "pooled": self.pooled,
            "own_rate": None if self.own_rate is None else [str(x) for x in self.own_rate],
        }

    def with_own_rate(self, rate: tuple[Decimal, Decimal]) -> ServiceFit:
        return replace(self, own_rate=rate)

    def summary(self) -> str:
        """One line for the CLI's summary."""
        a = self.arrivals
        growth = (
            "growth not fitted"
            if a.growth is None
            else f"growth {a.growth.value:+.2%}/month ({a.growth.low:+.2%} to {a.growth.high:+.2%})"
            + ("" if a.growth_used else ", 0 used")
        )
        spread = "not fitted" if a.dispersion is None else f"{a.dispersion_used:.2f}"
        big = "none" if self.big is None else _big_words(self.big)
        level = a.level_per_day
        return (
            f"{self.service}: {self.calls} calls over {a.months} month(s), "
            f"{level.value:.3g} calls/business day ({level.low:.3g} to {level.high:.3g}), "
            f"{growth}, dispersion {spread}, big days {big}"
        )


def _interval(value: Interval | None) -> dict[str, float] | None:
    if value is None:
        return None
    return {"value": value.value, "low": value.low, "high": value.high}


def _big(big: BigDays) -> dict[str, object]:
    return {
        "days": len(big.days),
        "recurrence": big.recurrence,
        "per_month": big.per_month,
        "dial_ins_mean": big.mean,
        "dial_ins_sd": big.sd,
        "time": big.start.strftime("%H:%M"),
    }


def _big_words(big: BigDays) -> str:
    when = big.recurrence or f"{big.per_month:.2f} a month"
    return f"{len(big.days)} ({when}, ~{big.mean:.0f} dial-ins at {big.start:%H:%M})"


@dataclass(frozen=True)
class Calibration:
    """A fitted scenario with its rates, the figures behind it, and its holdout check."""

    scenario_toml: str
    rates_csv: str
    rates_name: str
    fits: tuple[ServiceFit, ...]
    assumptions: tuple[str, ...]
    notes: tuple[str, ...]
    holdout: Holdout | None

    def to_dict(self) -> dict[str, object]:
        """The ``credsim calibrate --json`` document."""
        return {
            "services": [fit.to_dict() for fit in self.fits],
            "assumptions": list(self.assumptions),
            "notes": list(self.notes),
            "holdout": None if self.holdout is None else self.holdout.to_dict(),
            "rates_name": self.rates_name,
            "scenario_toml": self.scenario_toml,
            "rates_csv": self.rates_csv,
        }

    def to_text(self) -> str:
        """The CLI's summary: per service, the assumptions, the notes and the holdout."""
        lines = ["Fitted, per credit-billed service:"]
        lines += [f"  {fit.summary()}" for fit in self.fits]
        lines += ["Assumptions (not measurable from the export):"]
        lines += [f"  - {text}" for text in self.assumptions]
        if self.notes:
            lines += ["Notes:"] + [f"  - {text}" for text in self.notes]
        if self.holdout is not None:
            lines += [self.holdout.to_text()]
        return "\n".join(lines)

    def write(self, toml_path: Path) -> tuple[Path, Path]:
        """Write the scenario to ``toml_path`` and its rate table beside it."""
        toml_path = Path(toml_path)
        rates_path = toml_path.parent / self.rates_name
        toml_path.parent.mkdir(parents=True, exist_ok=True)
        toml_path.write_text(self.scenario_toml, encoding="utf-8")
        rates_path.write_text(self.rates_csv, encoding="utf-8")
        return toml_path, rates_path
