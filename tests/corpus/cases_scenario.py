"""Broken scenario files through ``credsim validate``: syntax, types, unknown keys, bombs."""

from __future__ import annotations

from tests.corpus.harness import Case
from tests.corpus.inputs import SCENARIO, tiny

V = ("validate", SCENARIO)
ITEM3 = "issue 11 item 3: the TOML parser is not bounded"

SYNTAX = [
    Case("toml-unclosed-table", V, tiny(("[payments]", "[payments"))),
    Case("toml-missing-value", V, tiny(("amount = 100", "amount =")), names="s.toml:"),
    Case("toml-duplicate-key", V, tiny(append="\n[policy]\n"), names="s.toml:"),
    Case("toml-duplicate-key-same-table", V, tiny(("trigger = 50", "trigger = 50\ntrigger = 60"))),
    Case("toml-unterminated-string", V, tiny(('name = "sweep-tiny"', 'name = "sweep-tiny'))),
    Case("toml-bad-escape", V, tiny(('name = "sweep-tiny"', 'name = "a\\qb"')), names="s.toml:"),
    Case("toml-bad-datetime", V, tiny(('"2027-01-01T00:00:00Z"', "2027-13-01T00:00:00Z"))),
    Case("toml-empty-file", V, {SCENARIO: ""}, names="s.toml"),
    Case("toml-only-comments", V, {SCENARIO: "# nothing here\n"}, names="s.toml"),
    Case("toml-binary", V, {SCENARIO: bytes(range(256)) * 4}, names="s.toml"),
    Case(
        "toml-not-utf8", V, {SCENARIO: b"# caf\xe9\n" + tiny()[SCENARIO].encode()}, names="s.toml:1"
    ),
    Case("toml-nul-byte", V, {SCENARIO: b'[scenario]\nname = "a\x00b"\n'}, names="s.toml"),
    Case(
        "toml-a-csv-instead", V, {SCENARIO: "start,end,service,charge\n1,2,3,4\n"}, names="s.toml"
    ),
    Case("toml-folder-not-file", V, {"data/s.toml/x": ""}, names="s.toml"),
    Case("toml-missing-file", ("validate", "data/nothing.toml"), names="nothing.toml"),
]

_CARD = (
    "admin_fix_delay_h = 24\ncard_expires = 2027-02-01T00:00:00Z\n"
    "card_renewed = 2027-01-01T00:00:00Z"
)
TYPES = [
    Case(
        "horizon-text",
        V,
        tiny(("horizon_months = 3", 'horizon_months = "three"')),
        names="horizon_months",
    ),
    Case(
        "horizon-fraction",
        V,
        tiny(("horizon_months = 3", "horizon_months = 3.5")),
        names="horizon_months",
    ),
    Case(
        "horizon-negative",
        V,
        tiny(("horizon_months = 3", "horizon_months = -1")),
        names="horizon_months",
    ),
    Case(
        "horizon-zero",
        V,
        tiny(("horizon_months = 3", "horizon_months = 0")),
        names="horizon_months",
    ),
    Case(
        "horizon-huge",
        V,
        tiny(("horizon_months = 3", "horizon_months = 99999999999999999")),
        names="horizon_months",
    ),
    Case(
        "calls-per-day-text",
        V,
        tiny(("calls_per_day = 4", 'calls_per_day = "many"')),
        names="calls_per_day",
    ),
    Case(
        "calls-per-day-negative",
        V,
        tiny(("calls_per_day = 4", "calls_per_day = -4")),
        names="calls_per_day",
    ),
    Case(
        "calls-per-day-bool",
        V,
        tiny(("calls_per_day = 4", "calls_per_day = true")),
        names="calls_per_day",
    ),
    Case(
        "rate-negative",
        V,
        tiny(("rate_per_min = 0.25", "rate_per_min = -0.25")),
        names="rate_per_min",
    ),
    Case("currency-unknown", V, tiny(('currency = "USD"', 'currency = "XYZ"')), names="currency"),
    Case("currency-number", V, tiny(('currency = "USD"', "currency = 42")), names="currency"),
    Case("start-words", V, tiny(('"2027-01-01T00:00:00Z"', '"yesterday"')), names="start"),
    Case(
        "timezone-unknown",
        V,
        tiny(('timezone = "UTC"', 'timezone = "Mars/Olympus"')),
        names="timezone",
    ),
    Case(
        "timezone-path",
        V,
        tiny(('timezone = "UTC"', 'timezone = "../../../etc/passwd"')),
        names="timezone",
    ),
    Case(
        "business-hours-25h",
        V,
        tiny(('["00:00", "24:00"]', '["25:00", "26:00"]')),
        names="business_hours",
    ),
    Case(
        "business-days-unknown", V, tiny(('"Mon", "Tue"', '"Funday", "Tue"')), names="business_days"
    ),
    Case(
        "failure-probability-1.5",
        V,
        tiny(("failure_probability = 0.05", "failure_probability = 1.5")),
        names="failure_probability",
    ),
    Case(
        "distribution-unknown",
        V,
        tiny(('dist = "exponential"', 'dist = "cauchy"')),
        names="duration_min",
    ),
    Case("exponential-mean-zero", V, tiny(("mean = 10", "mean = 0")), names="duration_min"),
    Case(
        "stream-without-name",
        V,
        tiny(append='\n[[streams]]\nservice = "x"\ncalls_per_day = 1\n'),
        names="streams",
    ),
    Case(
        "streams-not-a-list",
        V,
        {SCENARIO: '[scenario]\nname = "x"\nstreams = "many"\n'},
        names="streams",
    ),
    Case("amount-zero", V, tiny(("amount = 100", "amount = 0")), names="amount"),
    Case("amount-sub-cent", V, tiny(("amount = 100", "amount = 100.125")), names="amount"),
    Case("amount-nan", V, tiny(("amount = 100", "amount = nan")), names="amount"),
    Case("trigger-inf", V, tiny(("trigger = 50", "trigger = inf")), names="trigger"),
    Case(
        "unknown-key",
        V,
        tiny(('currency = "USD"', 'currency = "USD"\ncolour = "red"')),
        names="colour",
    ),
    Case("misspelt-policy-key", V, tiny(("trigger = 50", "triggr = 50")), names="triggr"),
    Case("unknown-table", V, tiny(append="\n[extras]\nx = 1\n"), names="extras"),
    Case("card-renewed-before-expiry", V, tiny(("admin_fix_delay_h = 24", _CARD)), names="card"),
]

_DEEP = 5000
BOMBS = [
    Case(
        "bomb-nested-arrays",
        V,
        tiny(append=f"\nx = {'[' * _DEEP}{']' * _DEEP}\n"),
        names="s.toml",
    ),
    Case(
        "bomb-nested-inline-tables",
        V,
        tiny(append="\nx = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n"),
        names="s.toml",
    ),
    Case(
        "bomb-dotted-key",
        V,
        tiny(append="\n" + ".".join(["a"] * 20_000) + " = 1\n"),
        names="s.toml",
    ),
    Case(
        "bomb-long-key",
        V,
        tiny(('currency = "USD"', 'currency = "USD"\n' + "k" * 100_000 + " = 1")),
        names="s.toml",
    ),
    Case(
        "bomb-many-keys",
        V,
        tiny(
            (
                "cost_per_recharge = 0.5",
                "cost_per_recharge = 0.5\n" + "".join(f"k{n} = {n}\n" for n in range(60_000)),
            )
        ),
        names="s.toml",
    ),
    Case(
        "bomb-3mb-comments",
        V,
        tiny(append="#" * 100 + "\n" + ("# padding\n" * 300_000)),
        names="s.toml",
    ),
    Case(
        "bomb-long-string",
        V,
        tiny(('name = "sweep-tiny"', f'name = "{"n" * 3_000_000}"')),
        names="s.toml",
    ),
]


CASES = [*SYNTAX, *TYPES, *BOMBS]
