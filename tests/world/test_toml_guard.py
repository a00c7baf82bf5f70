"""TOML bombs are refused before tomllib, with the line; valid files with brackets in strings pass.

Before the guard, one 40 KB dotted key took tomllib 17 s and a 1.5 GB peak, and
5,000 nested arrays raised RecursionError (issue 11, item 3).
"""

from __future__ import annotations

import json
import time
import tomllib
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import limits
from sim.errors import InputError
from sim.world import messages
from sim.world.load import load_scenario, parse_scenario
from sim.world.toml_guard import check_toml_shape
from tests.paths import ROOT

SOURCE = Path("bomb.toml")


def refused(text: str) -> InputError:
    """The InputError for ``text``, raised within a few MiB (memory, unlike time, is not noisy)."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            parse_scenario(text, SOURCE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a" + ".a" * 20_000 + " = 1\n", 1, "key longer than the limit of 128 characters"),
        ("\n\n[" + "t." * 20_000 + "t]\n", 3, "key longer than the limit"),
        ("x = 1\n" + "x = " + "[" * 5000 + "]" * 5000 + "\n", 2, "nested deeper than the limit"),
        ("x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n", 1, "nested deeper than the limit"),
        ("x = [\n" + "[" * 20 + "]" * 20 + "]\n", 2, "nested deeper than the limit of 16"),
        ("a." * 17 + "a = 1\n", 1, "dotted key of more parts than the limit of 16"),
        ("x = { " + "a." * 17 + "a = 1 }\n", 1, "dotted key of more parts"),
    ],
)
def test_bombs_are_refused_with_the_line(text: str, line: int, words: str) -> None:
    error = refused(text)
    assert (error.source, error.line) == (str(SOURCE), line)
    assert words in error.message
    assert "sim/limits.py" in error.message


def test_the_limits_themselves_are_accepted() -> None:
    deep = "[" * limits.TOML_DEPTH_MAX + "]" * limits.TOML_DEPTH_MAX
    key = ".".join(["k"] * limits.TOML_DEPTH_MAX)
    long_key = "k" * limits.TOML_KEY_MAX_CHARS
    text = f"x = {deep}\n{key} = 1\n{long_key} = 2\n"
    tomllib.loads(text)
    check_toml_shape(text, SOURCE)


def test_brackets_and_dots_in_strings_and_comments_do_not_count() -> None:
    many = "[" * 100 + "{" * 100
    dots = "a." * 100
    text = (
        f'a = "{many} {dots}"  # {many} {dots}\n'
        f"b = '{many}'\n"
        f'c = """\n{many}\n\\""" {dots}\n"""\n'
        f"d = '''\n{many}\n{dots}'''\n"
        f'"{dots[:40]}" = 1\n'
        "e = [[1, 2], [3, [4]]]\n"
        'f = { x = { y = [1] }, "q.r.s" = 2 }\n'
        '[[arr]]\nname = "n"\n[ t . u ]\n"key with ] and [" = 1\n'
    )
    tomllib.loads(text)
    check_toml_shape(text, SOURCE)


def test_an_unterminated_string_is_left_to_tomllib() -> None:
    error = refused('[scenario]\nname = "t\nx = ' + "[" * 40 + "\n")
    assert error.message.startswith("TOML syntax error")
    assert error.line == 2


def test_a_scenario_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    text = "#" * (limits.SCENARIO_MAX_BYTES + 1)
    assert "larger than the limit of 2,097,152 bytes" in refused(text).message
    path = tmp_path / "huge.toml"
    with path.open("wb") as huge:
        huge.truncate(limits.SCENARIO_MAX_BYTES + 1)
    with pytest.raises(InputError, match="SCENARIO_MAX_BYTES"):
        load_scenario(path)


def test_every_bundled_toml_passes_the_guard() -> None:
    files = [*ROOT.glob("scenarios/**/*.toml"), *ROOT.glob("tests/fixtures/*.toml")]
    assert len(files) >= 8
    for path in files:
        check_toml_shape(path.read_text(encoding="utf-8"), path)


def test_the_scan_is_linear_on_a_large_valid_file() -> None:
    line = 'k_0123456789 = [1, 2, { a = "x[y]{z}' + "x" * 200 + '" }]  # [[[[\n'
    text = line * (limits.SCENARIO_MAX_BYTES // 8 // len(line))
    began = time.monotonic()
    check_toml_shape(text, SOURCE)
    assert time.monotonic() - began < 2


TRICKY = "[]{}#.=,'\"\\ \n\ta"
_texts = st.text(alphabet=TRICKY, max_size=30)


def _value(depth: int) -> st.SearchStrategy[str]:
    """TOML values as text: strings full of brackets, and arrays/inline tables up to ``depth``."""
    scalars = st.one_of(
        _texts.map(json.dumps),  # a JSON string is a TOML basic string
        _texts.filter(lambda t: "'" not in t and "\n" not in t).map(lambda t: f"'{t}'"),
        _texts.filter(lambda t: "'''" not in t and not t.endswith("'")).map(lambda t: f"'''{t}'''"),
        st.integers(-5, 5).map(str),
    )
    if depth == 0:
        return scalars
    inner = _value(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=2).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(inner, max_size=2).map(
            lambda items: "{" + ", ".join(f"k{i} = {v}" for i, v in enumerate(items)) + "}"
        ),
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(_value(limits.TOML_DEPTH_MAX - 1), _texts), min_size=1, max_size=4),
)
def test_the_guard_never_refuses_what_tomllib_accepts_within_the_limits(
    pairs: list[tuple[str, str]],
) -> None:
    comment = lambda text: "# " + text.replace("\n", " ")  # noqa: E731
    text = "".join(f"key{i} = {value}  {comment(note)}\n" for i, (value, note) in enumerate(pairs))
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # not valid TOML (e.g. a control character): tomllib's to report
    check_toml_shape(text, SOURCE)


def test_sixty_thousand_keys_are_refused_by_count_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each key is cheap, but 60,000 of them cost seconds in tomllib and in the messages."""
    monkeypatch.setattr(tomllib, "loads", lambda *_: pytest.fail("parsed before the count"))
    text = "[objective]\n" + "".join(f"k{n} = {n}\n" for n in range(60_000))
    error = refused(text)
    assert error.line == limits.TOML_KEYS_MAX + 2
    assert "more keys than the limit of 10,000 (TOML_KEYS_MAX" in str(error)


def test_the_key_count_at_its_limit_passes_the_scan() -> None:
    check_toml_shape("".join(f"k{n} = {n}\n" for n in range(limits.TOML_KEYS_MAX)), SOURCE)


def test_many_problems_are_described_briefly_and_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond MAX_DESCRIBED, problems are counted without a fuzzy match each (60,000 took 11 s)."""
    matched = []

    def counting(word: str, *args: object, **kwargs: object) -> list[str]:
        matched.append(word)
        return []

    monkeypatch.setattr(messages, "get_close_matches", counting)
    keys = "".join(f"k{n} = {n}\n" for n in range(messages.MAX_DESCRIBED + 500))
    text = (ROOT / "tests" / "fixtures" / "sweep-tiny.toml").read_text(encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_scenario(keys + text, SOURCE)
    assert len(matched) <= messages.MAX_DESCRIBED
    assert f"... and {messages.MAX_DESCRIBED + 500 - 11} more" in str(caught.value)
