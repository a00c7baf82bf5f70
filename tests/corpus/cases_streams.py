"""Issue 14's scenario keys, broken one at a time: stream profiles, holidays, random big days.

Each new key refuses a bad value with one line naming its key path; a scenario
using every key well runs (``validate`` accepting it means ``run`` and
``demand`` can do it).
"""

from __future__ import annotations

from tests.corpus.harness import Case
from tests.corpus.inputs import SCENARIO, tiny

V = ("validate", SCENARIO)
RUN = ("run", SCENARIO, "--replications", "2", "--workers", "1")
DEMAND = ("demand", SCENARIO)

RATE = "rate_per_min = 0.25"
WEEK = "[" + ", ".join(["1"] * 168) + "]"
ZEROS = "[" + ", ".join(["0"] * 168) + "]"
WEEKENDS_ONLY = "[" + ", ".join(["0"] * 120 + ["1"] * 48) + "]"
GB = '{ country = "GB", number_type = "landline", share = 1 }'
BIG = (
    '\n[[big_meetings]]\nname = "all hands"\ntime = 10:00:00\ntoll_free_share = 0\n'
    'dial_ins = { dist = "fixed", value = 5 }\n'
)
ALL_DAYS = 'business_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]'
WEEKDAYS = 'business_days = ["Mon", "Tue", "Wed", "Thu", "Fri"]'
TIMEZONE = 'timezone = "UTC"'
TABLE = (
    "country,number_type,direction,rate_per_min,connection_fee,currency\n"
    "US,landline,outbound,0.01,0,USD\n"
)


def stream_key(text: str) -> dict[str, bytes | str]:
    """The tiny scenario with ``text`` added to its stream."""
    return tiny((RATE, f"{RATE}\n{text}"))


def priced_by(text: str) -> dict[str, bytes | str]:
    """The tiny scenario whose stream is priced by ``text`` instead of its own rate."""
    return tiny((RATE, text))


def holidays(value: str) -> dict[str, bytes | str]:
    return tiny((TIMEZONE, f"{TIMEZONE}\nholidays = {value}"))


PROFILES = [
    Case("hour-of-week-short", V, stream_key("hour_of_week = [1, 1, 1]"), names="hour_of_week"),
    Case("hour-of-week-all-zero", V, stream_key(f"hour_of_week = {ZEROS}"), names="hour_of_week"),
    Case("hour-of-week-text", V, stream_key('hour_of_week = "flat"'), names="hour_of_week"),
    Case(
        "hour-of-week-negative",
        V,
        stream_key("hour_of_week = [-1" + ", 1" * 167 + "]"),
        names="streams[0].hour_of_week",
    ),
    Case(
        "hour-of-week-no-business-weight",
        V,
        tiny((RATE, f"{RATE}\nhour_of_week = {WEEKENDS_ONLY}"), (ALL_DAYS, WEEKDAYS)),
        names="streams[0].hour_of_week",
    ),
    Case(
        "hour-of-week-busiest-day-beyond-limit",
        RUN,
        tiny(
            (RATE, f"{RATE}\nhour_of_week = [" + "1e-300, " * 24 + ", ".join(["1"] * 144) + "]"),
            (ALL_DAYS, 'business_days = ["Mon"]'),
        ),
        names="streams[0].hour_of_week",
    ),
    Case(
        "holiday-factor-without-profile",
        V,
        stream_key("holiday_factor = 0.1"),
        names="holiday_factor",
    ),
    Case(
        "holiday-factor-negative",
        V,
        stream_key(f"hour_of_week = {WEEK}\nholiday_factor = -0.1"),
        names="streams[0].holiday_factor",
    ),
    Case(
        "daily-dispersion-negative",
        V,
        stream_key("daily_dispersion = -0.3"),
        names="streams[0].daily_dispersion",
    ),
    Case(
        "daily-dispersion-huge",
        RUN,
        stream_key("daily_dispersion = 1e6"),
        names="streams[0].daily_dispersion",
    ),
    Case(
        "daily-dispersion-text",
        V,
        stream_key('daily_dispersion = "high"'),
        names="streams[0].daily_dispersion",
    ),
    Case(
        "stream-growth-minus-one",
        V,
        stream_key("monthly_growth = -1"),
        names="streams[0].monthly_growth",
    ),
    Case(
        "stream-growth-beyond-limit",
        RUN,
        tiny(
            ("calls_per_day = 4", "calls_per_day = 500000"), (RATE, f"{RATE}\nmonthly_growth = 0.5")
        ),
        names="streams[0].monthly_growth",
    ),
]

DESTINATIONS = [
    Case(
        "destinations-share-zero",
        V,
        priced_by('destinations = [{ country = "GB", number_type = "landline", share = 0 }]'),
        names="streams[0].destinations[0].share",
    ),
    Case(
        "destinations-share-negative",
        V,
        priced_by('destinations = [{ country = "GB", number_type = "landline", share = -1 }]'),
        names="streams[0].destinations[0].share",
    ),
    Case(
        "destinations-and-rate",
        V,
        stream_key(f"destinations = [{GB}]"),
        names="destinations",
    ),
    Case(
        "destinations-and-country",
        V,
        priced_by(f'country = "GB"\nnumber_type = "landline"\ndestinations = [{GB}]'),
        names="destinations",
    ),
    Case("destinations-empty", V, priced_by("destinations = []"), names="streams[0].destinations"),
    Case(
        "destinations-bad-number-type",
        V,
        priced_by('destinations = [{ country = "GB", number_type = "fax", share = 1 }]'),
        names="streams[0].destinations[0].number_type",
    ),
    Case(
        "destinations-bad-country",
        V,
        priced_by('destinations = [{ country = "Britain", number_type = "mobile", share = 1 }]'),
        names="streams[0].destinations[0].country",
    ),
    Case(
        "destinations-missing-rate",
        V,
        {
            **tiny((RATE, f"destinations = [{GB}]"), append='\n[rates]\ntable = "t.csv"\n'),
            "data/t.csv": TABLE,
        },
        names="streams[0].destinations[0]",
    ),
]

HOLIDAYS = [
    Case("holidays-unknown-code", V, holidays('"XX"'), names="calendar.holidays"),
    Case("holidays-unknown-subdivision", V, holidays('"US-ZZ"'), names="calendar.holidays"),
    Case("holidays-lower-case", V, holidays('"us"'), names="calendar.holidays"),
    Case("holidays-number", V, holidays("5"), names="calendar.holidays"),
    Case("holidays-list-of-text", V, holidays('["Christmas"]'), names="calendar.holidays[0]"),
]

BIG_DAYS = [
    Case(
        "big-meeting-per-month-and-recurrence",
        V,
        tiny(append=f'{BIG}per_month = 1\nrecurrence = "FREQ=MONTHLY;BYDAY=+1TH"\n'),
        names="big_meetings[0]",
    ),
    Case("big-meeting-no-schedule", V, tiny(append=BIG), names="big_meetings[0]"),
    Case(
        "big-meeting-per-month-negative",
        V,
        tiny(append=f"{BIG}per_month = -1\n"),
        names="big_meetings[0].per_month",
    ),
    Case(
        "big-meeting-per-month-huge",
        RUN,
        tiny(append=f"{BIG}per_month = 1e9\n"),
        names="big_meetings[0].per_month",
    ),
]

EVERY_KEY = (
    f"{RATE}\nmonthly_growth = 0.02\nhour_of_week = {WEEK}\nholiday_factor = 0.2\n"
    "daily_dispersion = 0.4"
)
ACCEPTED = [
    Case(
        "every-new-key-runs",
        RUN,
        tiny(
            (RATE, EVERY_KEY),
            (TIMEZONE, f'{TIMEZONE}\nholidays = "US-CA"'),
            append=f"{BIG}per_month = 1.2\n",
        ),
        exit=0,
    ),
    Case(
        "every-new-key-demand",
        DEMAND,
        tiny(
            (RATE, EVERY_KEY),
            (TIMEZONE, f'{TIMEZONE}\nholidays = "GB-SCT"'),
            append=f"{BIG}per_month = 0\n",
        ),
        exit=0,
    ),
]

CASES = [*PROFILES, *DESTINATIONS, *HOLIDAYS, *BIG_DAYS, *ACCEPTED]
