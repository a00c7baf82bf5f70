"""A pre-parser scan that bounds a TOML text's nesting and keys before ``tomllib`` sees it.

Why: ``tomllib`` is recursive and, for dotted keys, quadratic. Measured on
Python 3.11: one key of 5,000 dotted parts (a 10 KB file) takes 1.7 s and a
peak of 97 MiB; 40 KB takes about 1.5 GB. 5,000 nested arrays or inline
tables raise RecursionError. A scenario needs neither: its deepest value is a
few levels, its longest key a few dozen characters. This scanner is linear,
understands TOML strings (basic, literal, multi-line) and comments (so a
bracket inside a string never counts), and refuses, with the line, a text
whose nesting or keys exceed ``sim.limits``. Syntax it does not understand is
left for ``tomllib`` to report: the scan stops at an unterminated string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import InputError
from sim.limits import TOML_DEPTH_MAX, TOML_KEY_MAX_CHARS, TOML_KEYS_MAX

_TOKEN = re.compile(
    r"""
    [ \t\r]*(?:\#[^\n]*)?  # spaces and a comment, skipped with the token that follows
    (?:
      (?P<newline>\n)
    | (?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\"\"{0,2}
                | '''.*?''''{0,2}
                | "(?:[^"\\\n]|\\.)*"
                | '[^'\n]*')
    | (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<equals>=)
    | (?P<comma>,)
    | (?P<bare>[^\s"'\#\[\]{}=,]+)
    | (?P<other>.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_KNOB_DEPTH = "TOML_DEPTH_MAX in sim/limits.py"
_KNOB_KEY = "TOML_KEY_MAX_CHARS in sim/limits.py"
_KNOB_KEYS = "TOML_KEYS_MAX in sim/limits.py"


@dataclass
class _Key:
    """The key being read: its characters as written and its dotted parts."""

    chars: int = 0
    parts: int = 1
    started: int = -1
    """Offset of its first token in the text, -1 while no token was read."""


@dataclass
class _Scan:
    text: str
    source: str | Path
    stack: list[str] = field(default_factory=list)
    expect_key: bool = True
    header: bool = False
    key: _Key = field(default_factory=_Key)
    pairs: int = 0
    """Key/value pairs seen so far (each ``=`` outside a string)."""

    def refuse(self, offset: int, message: str) -> InputError:
        line = self.text.count("\n", 0, offset) + 1
        return InputError(message, source=self.source, line=line)

    def take_key_token(self, offset: int, token: str, kind: str) -> None:
        if self.key.started < 0:
            self.key.started = offset
        self.key.chars += len(token)
        if kind == "bare":
            self.key.parts += token.count(".")
        self._check_key()

    def _check_key(self) -> None:
        key = self.key
        if key.chars > TOML_KEY_MAX_CHARS:
            raise self.refuse(
                key.started,
                f"a key longer than the limit of {TOML_KEY_MAX_CHARS} characters ({_KNOB_KEY})",
            )
        if key.parts > TOML_DEPTH_MAX:
            raise self.refuse(
                key.started,
                f"a dotted key of more parts than the limit of {TOML_DEPTH_MAX} ({_KNOB_DEPTH})",
            )

    def end_key(self) -> None:
        self.key = _Key()

    def open(self, offset: int, bracket: str) -> None:
        if not self.stack and self.expect_key and bracket == "[":
            self.header = True  # a [table] or [[array of tables]] header
            return
        self.stack.append(bracket)
        if len(self.stack) > TOML_DEPTH_MAX:
            raise self.refuse(
                offset,
                f"arrays and inline tables nested deeper than the limit of {TOML_DEPTH_MAX} "
                f"({_KNOB_DEPTH})",
            )
        self.expect_key = bracket == "{"

    def close(self) -> None:
        if self.header:
            self.header = False
            self.expect_key = False
            self.end_key()
        elif self.stack:
            self.stack.pop()
            self.expect_key = False


def check_toml_shape(text: str, source: str | Path) -> None:
    """InputError (with the line) when nesting, a key or the key count exceed ``sim.limits``."""
    scan = _Scan(text, source)
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue  # trailing spaces or a comment at the very end
        token, offset = match.group(kind), match.start(kind)
        if kind == "other" and token in "\"'":
            return  # an unterminated string: tomllib says where
        if kind == "newline":
            if not scan.stack:
                scan.expect_key, scan.header = True, False
                scan.end_key()
        elif kind == "open":
            scan.open(offset, token)
        elif kind == "close":
            scan.close()
        elif kind == "equals":
            scan.pairs += 1
            if scan.pairs > TOML_KEYS_MAX:
                raise scan.refuse(
                    offset, f"more keys than the limit of {TOML_KEYS_MAX:,} ({_KNOB_KEYS})"
                )
            scan.expect_key = False
            scan.end_key()
        elif kind == "comma":
            scan.expect_key = bool(scan.stack) and scan.stack[-1] == "{"
        elif scan.expect_key or scan.header:
            scan.take_key_token(offset, token, kind)
