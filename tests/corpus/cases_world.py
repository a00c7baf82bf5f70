"""Scenario files that reach outside their folder, broken rate tables, and magnitudes.

Magnitude cases also go through ``run`` (and ``demand``), because ``validate``
must refuse what ``run`` could not do: nothing it accepts may fail later for size.
"""

from __future__ import annotations

from tests.corpus import cases_streams
from tests.corpus.harness import Case
from tests.corpus.inputs import SCENARIO, rate_table, symlink, team, tiny, with_table

V = ("validate", SCENARIO)
RUN = ("run", SCENARIO, "--replications", "2", "--workers", "1")
DEMAND = ("demand", SCENARIO)

TABLE_PATHS = [
    Case(
        "table-dotdot-canary",
        V,
        with_table("../secret.txt"),
        names="rates.table",
    ),
    Case(
        "table-dotdot-passwd",
        V,
        with_table("../../../../../../../../etc/passwd"),
        names="rates.table",
    ),
    Case(
        "table-absolute-passwd",
        V,
        with_table("/etc/passwd"),
        names="rates.table",
    ),
    Case(
        "table-proc-environ",
        V,
        with_table("/proc/self/environ"),
        names="rates.table",
    ),
    Case(
        "table-proc-status",
        V,
        with_table("/proc/self/status"),
        names="rates.table",
    ),
    Case(
        "table-dev-zero",
        V,
        with_table("/dev/zero"),
        names="rates.table",
    ),
    Case(
        "table-dev-urandom",
        V,
        with_table("/dev/urandom"),
        names="rates.table",
    ),
    Case(
        "table-symlink-out",
        V,
        with_table("rates/link.csv"),
        setup=symlink("../../secret.txt", "data/rates/link.csv"),
        names="rates.table",
    ),
    Case(
        "table-is-folder",
        V,
        with_table("rates"),
        setup=symlink(".", "data/rates"),
        names="data/rates",
    ),
    Case("table-empty-name", V, with_table(""), names="rates.table"),
    Case(
        "table-nul-in-name",
        V,
        with_table("a\\u0000b.csv"),
        names="rates.table",
    ),
    Case("table-missing", V, with_table("rates/nothing.csv"), names="rates.table"),
    Case(
        "table-dotdot-through-run",
        RUN,
        with_table("../secret.txt"),
        names="rates.table",
    ),
]

_TABLE_HEADER = "country,number_type,direction,rate_per_min,connection_fee,currency\n"
RATE_TABLES = [
    Case("rates-wrong-header", V, rate_table("a,b,c\nUS,toll_free,inbound\n"), names="t.csv"),
    Case(
        "rates-bad-cell",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,abc,0,USD\n"),
        names="t.csv:2",
    ),
    Case(
        "rates-negative",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,-1,0,USD\n"),
        names="t.csv:2",
    ),
    Case(
        "rates-nan",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,nan,0,USD\n"),
        names="t.csv:2",
    ),
    Case(
        "rates-inf",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,inf,0,USD\n"),
        names="t.csv:2",
    ),
    Case(
        "rates-1e30",
        V,
        rate_table(_TABLE_HEADER + f"US,toll_free,inbound,1{'0' * 30},0,USD\n"),
        names="t.csv US toll_free inbound",
    ),
    Case("rates-empty-file", V, rate_table(""), names="t.csv"),
    Case("rates-binary", V, rate_table(bytes(range(256)) * 8), names="t.csv"),
    Case(
        "rates-not-utf8",
        V,
        rate_table(_TABLE_HEADER.encode() + b"US,toll_free,inbound,0.0\xff2,0\n"),
        names="t.csv:2",
    ),
    Case(
        "rates-duplicate-row",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,0.02,0,USD\n" * 2),
        names="t.csv:3",
    ),
    Case("rates-short-row", V, rate_table(_TABLE_HEADER + "US,toll_free\n"), names="t.csv:2"),
    Case("rates-header-only", V, rate_table(_TABLE_HEADER), names="no rates"),
    Case(
        "rates-no-currency",
        V,
        rate_table(
            "country,number_type,direction,rate_per_min,connection_fee\nUS,toll_free,inbound,1,0\n"
        ),
        names="t.csv:1: the rate table declares no currency",
    ),
    Case(
        "rates-two-currencies",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,0.02,0,USD\nUS,mobile,outbound,1,0,EUR\n"),
        names="t.csv:3: column 'currency': currency EUR differs from USD on line 2",
    ),
    Case(
        "rates-finer-than-micro-cents",
        RUN,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,0.000000001,0,USD\n"),
        names="t.csv:2: column 'rate_per_min'",
    ),
    Case(
        "stream-rate-finer-than-micro-cents",
        RUN,
        tiny(("rate_per_min = 0.25", "rate_per_min = 0.0000000001")),
        names="streams[0].rate_per_min",
    ),
    Case(
        "currency-eur-scenario-usd-table-validate",
        V,
        team(('currency = "USD"', 'currency = "EUR"')),
        names="scenario.currency is EUR but its rate table",
    ),
    Case(
        "currency-eur-scenario-usd-table-run",
        RUN,
        team(('currency = "USD"', 'currency = "EUR"')),
        names="sample-usd.csv is in USD",
    ),
    Case(
        "rates-huge-field",
        V,
        rate_table(_TABLE_HEADER + "US,toll_free,inbound,0.02," + "9" * 200_000 + "\n"),
        names="t.csv:2",
    ),
]

_SECONDLY = (
    '\n[[big_meetings]]\nname = "x"\nrecurrence = "FREQ=SECONDLY"\ntime = 11:00:00\n'
    'dial_ins = { dist = "fixed", value = 1 }\n'
)
MAGNITUDES = [
    Case(
        "users-1e9-validate",
        V,
        team(("count = 25", "count = 1000000000")),
        names="users.count",
    ),
    Case(
        "users-1e9-run",
        RUN,
        team(("count = 25", "count = 1000000000")),
        names="users.count",
    ),
    Case(
        "plan-holders-beyond-users",
        V,
        team(("domestic_plan_users = 25", "domestic_plan_users = 26")),
        names="plans.domestic_plan_users",
    ),
    Case(
        "international-holders-beyond-domestic",
        RUN,
        team(("international_plan_users = 0", "international_plan_users = 30")),
        names="plans.international_plan_users",
    ),
    Case(
        "growth-plan-share-above-one",
        V,
        team(("international_plan_users = 0", "growth_domestic_plan_share = 1.5")),
        names="plans.growth_domestic_plan_share",
    ),
    Case(
        "growth-international-share-beyond-domestic",
        V,
        team(
            (
                "international_plan_users = 0",
                "growth_international_plan_share = 0.5\ngrowth_domestic_plan_share = 0.25",
            )
        ),
        names="plans.growth_international_plan_share",
    ),
    Case(
        "growth-100pct-validate",
        V,
        team(
            ("monthly_growth = 0.0", "monthly_growth = 1.0"),
            ("horizon_months = 24", "horizon_months = 120"),
        ),
        names="monthly_growth",
    ),
    Case(
        "growth-100pct-run",
        RUN,
        team(
            ("monthly_growth = 0.0", "monthly_growth = 1.0"),
            ("horizon_months = 24", "horizon_months = 120"),
        ),
        names="monthly_growth",
    ),
    Case(
        "poisson-1e12-validate",
        V,
        team(('{ dist = "poisson", mean = 2 }', '{ dist = "poisson", mean = 1e12 }')),
        names="dial_ins",
    ),
    Case(
        "poisson-1e12-demand",
        DEMAND,
        team(('{ dist = "poisson", mean = 2 }', '{ dist = "poisson", mean = 1e12 }')),
        names="dial_ins",
    ),
    Case(
        "poisson-inf",
        V,
        team(('{ dist = "poisson", mean = 2 }', '{ dist = "poisson", mean = inf }')),
        names="dial_ins",
    ),
    Case(
        "poisson-nan",
        V,
        team(('{ dist = "poisson", mean = 2 }', '{ dist = "poisson", mean = nan }')),
        names="dial_ins",
    ),
    Case(
        "calls-per-day-1e9-validate",
        V,
        tiny(("calls_per_day = 4", "calls_per_day = 1e9")),
        names="calls_per_day",
    ),
    Case(
        "calls-per-day-1e9-run",
        RUN,
        tiny(("calls_per_day = 4", "calls_per_day = 1e9")),
        names="calls_per_day",
    ),
    Case(
        "calls-per-day-inf",
        V,
        tiny(("calls_per_day = 4", "calls_per_day = inf")),
        names="calls_per_day",
    ),
    Case(
        "duration-mean-inf-validate",
        V,
        tiny(("mean = 10", "mean = inf")),
        names="duration_min",
    ),
    Case(
        "duration-mean-inf-run",
        RUN,
        tiny(("mean = 10", "mean = inf")),
        names="duration_min",
    ),
    Case(
        "duration-lognormal-sd-1e300",
        V,
        team(
            (
                '{ dist = "lognormal", mean = 30, sd = 15 }',
                '{ dist = "lognormal", mean = 30, sd = 1e300 }',
            )
        ),
        names="duration_min.sd",
    ),
    Case(
        "rrule-secondly-validate",
        V,
        team(append=_SECONDLY),
        names="recurrence",
    ),
    Case(
        "rrule-secondly-run",
        RUN,
        team(append=_SECONDLY),
        names="recurrence",
    ),
    Case(
        "rrule-garbage",
        V,
        team(append=_SECONDLY.replace("FREQ=SECONDLY", "FREQ=WHENEVER")),
        names="recurrence",
    ),
    Case(
        "start-1900",
        V,
        tiny(('"2027-01-01T00:00:00Z"', '"1900-01-01T00:00:00Z"')),
        names="start",
    ),
    Case(
        "start-9999",
        V,
        tiny(('"2027-01-01T00:00:00Z"', '"9999-06-01T00:00:00Z"')),
        names="s.toml: scenario.",
    ),
    Case(
        "initial-balance-1e20",
        V,
        tiny(("initial_balance = 100", "initial_balance = 1e20")),
        names="initial_balance",
    ),
    Case(
        "trigger-1e11-amount-cent-run",
        RUN,
        tiny(("trigger = 50", "trigger = 100000000000"), ("amount = 100", "amount = 0.01")),
        exit=None,
    ),
    Case(
        "processing-delay-1e20",
        V,
        tiny(("processing_delay_h = 12", "processing_delay_h = 1e20")),
        names="processing_delay_h",
    ),
    Case(
        "processing-delay-1e20-run",
        RUN,
        tiny(("processing_delay_h = 12", "processing_delay_h = 1e20")),
        names="processing_delay_h",
    ),
    Case(
        "processing-delay-gamma",
        V,
        tiny(
            ("processing_delay_h = 12", 'processing_delay_h = { dist = "gamma", mean = 2, sd = 1 }')
        ),
        names="payments.processing_delay_h.dist",
    ),
    Case(
        "fix-delay-lognormal-without-sd-run",
        RUN,
        tiny(("admin_fix_delay_h = 24", 'admin_fix_delay_h = { dist = "lognormal", mean = 4 }')),
        names="payments.admin_fix_delay_h.sd",
    ),
    Case(
        "fix-delay-sd-1e9",
        V,
        tiny(
            (
                "admin_fix_delay_h = 24",
                'admin_fix_delay_h = { dist = "lognormal", mean = 4, sd = 1e9 }',
            )
        ),
        names="payments.admin_fix_delay_h.sd",
    ),
    Case(
        "billing-increment-0",
        V,
        tiny(append="\n[rates]\nbilling_increment_s = 0\n"),
        names="billing_increment_s",
    ),
]


CASES = [*TABLE_PATHS, *RATE_TABLES, *MAGNITUDES, *cases_streams.CASES]  # issue 14's keys
