"""Rows that repeat a billed leg are counted once by default, and reported (issue 11, item 8)."""

from __future__ import annotations

from sim.calls.duplicates import _DigestSet
from sim.calls.usage import open_usage
from tests.calls.test_usage import read_all, write_skype, write_teams, write_text

LEG = {"UsageId": "u-1", "Call ID": "call-1", "Charge": "0.44"}


def test_a_teams_row_exported_twice_is_billed_once_and_counted(tmp_path) -> None:
    other = {"UsageId": "u-2", "Call ID": "call-2", "Start Time": "2024-03-04T14:00:00Z"}
    path = write_teams(tmp_path / "t.csv", LEG, other, LEG, LEG)
    usage, calls = read_all(path)
    assert [call.ref for call in calls] == [2, 3]  # lines 4 and 5 repeat line 2
    assert (usage.rows, usage.duplicates, usage.duplicates_dropped) == (4, 2, 2)
    assert usage.first_duplicate_line == 4


def test_keep_duplicates_bills_them_as_written_and_still_counts_them(tmp_path) -> None:
    usage = open_usage(write_teams(tmp_path / "t.csv", LEG, LEG), keep_duplicates=True)
    calls = list(usage.calls())
    assert [call.charge_minor for call in calls] == [44, 44]
    assert (usage.duplicates, usage.duplicates_dropped) == (1, 0)


def test_legs_of_one_conference_call_by_different_users_are_all_billed(tmp_path) -> None:
    """One Call ID, two users: two legs, both billed (not duplicates)."""
    second = {**LEG, "UsageId": "u-2", "UPN": "raj@contoso.com", "AAD ObjectId": "a-2"}
    usage, calls = read_all(write_teams(tmp_path / "t.csv", LEG, second))
    assert len(calls) == 2 and usage.duplicates == 0


def test_legs_of_one_call_that_differ_in_type_start_or_charge_are_all_billed(tmp_path) -> None:
    rows = [
        LEG,
        {**LEG, "UsageId": "u-2", "Call Type": "user_out_transfer"},
        {**LEG, "UsageId": "u-3", "Start Time": "2024-03-04T15:00:01Z"},
        {**LEG, "UsageId": "u-4", "Charge": "0.45"},
    ]
    usage, calls = read_all(write_teams(tmp_path / "t.csv", *rows))
    assert len(calls) == 4 and usage.duplicates == 0


def test_a_usage_id_read_twice_is_one_record_whatever_else_differs(tmp_path) -> None:
    """Teams' UsageId names one record: re-rated between two exports, it is still one call."""
    rerated = {**LEG, "Call ID": "call-9", "Charge": "0.51"}
    usage, calls = read_all(write_teams(tmp_path / "t.csv", LEG, rerated))
    assert [call.charge_minor for call in calls] == [44]  # the first one read is billed
    assert (usage.duplicates, usage.first_duplicate_line) == (1, 3)


def test_rows_without_a_call_id_or_usage_id_are_never_dropped(tmp_path) -> None:
    blank = {**LEG, "Call ID": "", "UsageId": ""}
    usage, calls = read_all(write_teams(tmp_path / "t.csv", blank, blank))
    assert len(calls) == 2 and usage.duplicates == 0


def test_a_skype_row_repeated_is_billed_once(tmp_path) -> None:
    usage, calls = read_all(write_skype(tmp_path / "s.tsv", {}, {}, {"User ID": "sip:x@y"}))
    assert len(calls) == 2 and usage.duplicates == 1 and usage.first_duplicate_line == 3


def test_the_stream_format_has_no_id_and_is_read_as_written(tmp_path) -> None:
    row = "2025-01-02T08:00:00Z,2025-01-02T08:01:00Z,x,1.00\n"
    usage, calls = read_all(write_text(tmp_path / "c.csv", "start,end,service,charge\n" + row * 2))
    assert len(calls) == 2 and usage.duplicates == 0


def test_the_digest_table_grows_and_tells_every_member_from_every_stranger() -> None:
    """Members that collide in the low bits (the slot index) are still told apart."""
    table = _DigestSet()
    members = [(n << 40) | 5 for n in range(1, 200)] + [
        n * 0x9E3779B97F4A7C15 % 2**64 for n in range(1, 6000)
    ]
    assert all(table.add(digest) for digest in members)
    assert not any(table.add(digest) for digest in members)
    assert table.add(2**64 - 1) and not table.add(2**64 - 1)
