"""Rate tables are read only from inside the scenario's folder (or, for uploads, the bundle).

Each hostile ``[rates].table`` must give one InputError line, quickly, that
quotes nothing of the file it names (issue 11, item 1).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim import limits
from sim.dashboard import explore
from sim.errors import InputError
from sim.world.files import read_regular
from sim.world.load import load_scenario
from tests.world.test_scenario_load import HEAD, RATES

SECRET = "TOP-SECRET-LINE"
MEETING = "[meetings]\nper_user_per_day = 0.1\n"
SCENARIO = HEAD + MEETING + '[rates]\ntable = "{table}"\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """tmp/outside.csv holds a secret; the scenario lives in tmp/world/."""
    (tmp_path / "outside.csv").write_text(f"{SECRET},x\n", encoding="utf-8")
    world = tmp_path / "world"
    world.mkdir()
    return world


def refusal(folder: Path, table: str) -> str:
    """The one-line message for a scenario file naming ``table``, checked for speed and secrecy."""
    path = folder / "scenario.toml"
    path.write_text(SCENARIO.format(table=table), encoding="utf-8")
    began = time.monotonic()
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert time.monotonic() - began < 2
    message = str(caught.value)
    assert "\n" not in message
    assert SECRET not in message
    assert "root:" not in message  # /etc/passwd's first line
    return message


def upload_refusal(table: str, tables: dict[str, bytes] | None = None) -> str:
    data = SCENARIO.format(table=table).encode()
    with pytest.raises(InputError) as caught:
        explore.scenario_upload(data, "mine.toml", tables)
    message = str(caught.value)
    assert "\n" not in message
    assert SECRET not in message
    assert "root:" not in message
    return message


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("../outside.csv", "lies outside the scenario's folder"),
        ("../../../../../../../../etc/passwd", "lies outside the scenario's folder"),
        ("/etc/passwd", "must be a path relative to the scenario's folder"),
        ("/proc/self/environ", "must be a path relative"),
        ("/dev/zero", "must be a path relative"),
        ("../../../../../../../../dev/zero", "lies outside"),
        ("../../../../../../../../proc/self/environ", "lies outside"),
    ],
)
def test_a_table_outside_the_folder_is_refused(folder: Path, table: str, words: str) -> None:
    assert words in refusal(folder, table)


def test_a_symlink_out_of_the_folder_is_refused(folder: Path) -> None:
    (folder / "link.csv").symlink_to(folder.parent / "outside.csv")
    (folder / "zero.csv").symlink_to("/dev/zero")
    assert "lies outside" in refusal(folder, "link.csv")
    assert "lies outside" in refusal(folder, "zero.csv")


def test_a_symlink_inside_the_folder_is_followed(folder: Path) -> None:
    (folder / "tables").mkdir()
    (folder / "tables" / "real.csv").write_text(RATES, encoding="utf-8")
    (folder / "alias.csv").symlink_to(folder / "tables" / "real.csv")
    path = folder / "scenario.toml"
    path.write_text(SCENARIO.format(table="alias.csv"), encoding="utf-8")
    assert ("US", "toll_free", "inbound") in load_scenario(path).rates


def test_a_folder_a_fifo_and_an_oversized_table_are_refused_before_reading(folder: Path) -> None:
    (folder / "dir.csv").mkdir()
    assert "is a folder; a regular file is needed" in refusal(folder, "dir.csv")
    os.mkfifo(folder / "pipe.csv")  # opening it for read would block: refused by stat
    assert "not a regular file" in refusal(folder, "pipe.csv")
    with (folder / "huge.csv").open("wb") as huge:
        huge.truncate(limits.RATE_TABLE_MAX_BYTES + 1)  # sparse: no disk, no read
    message = refusal(folder, "huge.csv")
    assert f"larger than the limit of {limits.RATE_TABLE_MAX_BYTES:,} bytes" in message
    assert "RATE_TABLE_MAX_BYTES" in message


def test_a_file_that_is_not_a_rate_table_is_not_quoted(folder: Path) -> None:
    (folder / "notes.csv").write_text(f"{SECRET}:x:0:0:root\nmore\n", encoding="utf-8")
    message = refusal(folder, "notes.csv")
    assert "not a rate table (expected header country,number_type," in message


def test_a_misspelt_header_still_gets_its_hint(folder: Path) -> None:
    (folder / "typo.csv").write_text(RATES.replace("direction", "directon"), encoding="utf-8")
    assert "did you mean 'direction'?" in refusal(folder, "typo.csv")


def test_a_pseudo_file_that_reports_size_0_is_read_only_up_to_the_limit() -> None:
    environ = Path("/proc/self/environ")
    if not environ.exists() or not os.environ:
        pytest.skip("no /proc here")
    with pytest.raises(InputError, match="larger than the limit of 1 bytes"):
        read_regular(environ, 1, what="table", knob="a knob")


@pytest.mark.parametrize(
    "table",
    [
        "../../../../etc/passwd",
        "/etc/passwd",
        "/proc/self/environ",
        "/dev/zero",
        "../midsize.toml",
        "baselines/midsize.json",
        "midsize.toml",
        "rates",
        "./rates/sample-usd.csv",
    ],
)
def test_an_upload_may_name_only_bundled_or_uploaded_tables(table: str) -> None:
    message = upload_refusal(table)
    assert "neither a table uploaded with the scenario nor a bundled table" in message
    assert "rates/sample-usd.csv" in message  # the choices are listed


def test_an_upload_uses_a_bundled_table_by_name() -> None:
    data = SCENARIO.format(table="rates/sample-usd.csv").encode()
    loaded = explore.scenario_upload(data, "mine.toml")
    assert ("US", "toll_free", "inbound") in loaded.rates


def test_an_upload_uses_a_table_uploaded_with_it() -> None:
    data = SCENARIO.format(table="tables/mine.csv").encode()
    mine = RATES.replace("0.022", "0.5").encode()
    loaded = explore.scenario_upload(data, "mine.toml", {"mine.csv": mine})
    assert loaded.rates.lookup("US", "toll_free", "inbound").rate_per_min == 0.5
    other = explore.scenario_upload(data.replace(b"tables/", b""), "mine.toml", {"mine.csv": mine})
    assert other.rates.rates == loaded.rates.rates


def test_an_uploaded_table_is_checked_like_a_file() -> None:
    secret = f"{SECRET},1\n".encode()
    assert "not a rate table" in upload_refusal("mine.csv", {"mine.csv": secret})
    huge = b"#" * (limits.RATE_TABLE_MAX_BYTES + 1)
    assert "larger than the limit" in upload_refusal("mine.csv", {"mine.csv": huge})


def test_a_nul_character_and_a_symlink_loop_are_one_line(folder: Path) -> None:
    assert "contains a NUL character" in refusal(folder, "a\\u0000b.csv")
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    message = refusal(folder, "loop.csv")
    assert "rates.table" in message and "loop.csv" in message
