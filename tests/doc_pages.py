"""Markdown pages read as data, for tests/test_docs.py: code blocks, headings, links, commands.

Only what the project's pages use is understood: fenced blocks, ATX headings,
inline links and images, and shell lines that call ``credsim`` (or ``python -m
sim``), with the output a console block shows under them.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.paths import ROOT

SHELLS = frozenset({"bash", "console", "sh", "shell"})
"""Fence languages whose lines are shell commands."""

FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)


@dataclass(frozen=True)
class Block:
    """A fenced code block: its page, the line of its first content line, language, text."""

    page: Path
    line: int
    lang: str
    text: str


def blocks(page: Path) -> list[Block]:
    """Every fenced code block of a page."""
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, match.start(3)) + 1, match.group(2).lower(), match[3])
        for match in FENCE.finditer(text)
    ]


def prose(page: Path) -> str:
    """The page without its code blocks and code spans: where its links live."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return CODE_SPAN.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: its text, lower case, punctuation dropped, '-' for ' '."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").replace("*", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def headings(page: Path) -> list[str]:
    """The text of every heading of a page, in order (``#`` lines inside code are not)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return [match.group(2) for match in HEADING.finditer(text)]


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings (repeated headings get -1, -2, as on GitHub)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in headings(page):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> Iterator[str]:
    """Every link target of a page that is not a web address."""
    for match in LINK.finditer(prose(page)):
        target = match.group(1)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target):
            yield target


def broken(page: Path, target: str) -> str | None:
    """Why a link target of ``page`` leads nowhere, or None when it resolves."""
    path_part, _, anchor = target.partition("#")
    path = (page.parent / path_part).resolve() if path_part else page
    if not path.exists():
        return f"{target}: no such file"
    if anchor and path.suffix == ".md" and anchor not in anchors(path):
        return f"{target}: no heading #{anchor} in {os.path.relpath(path, page.parent)}"
    return None


def code_spans(page: Path) -> list[str]:
    """The text of every code span of a page's prose (``like this``)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return [match.group(0).strip("`").strip() for match in CODE_SPAN.finditer(text)]


MODULE = re.compile(r"(?<![\w/.])[\w*]+\.py\b")


def tree_files(tree: str) -> list[str]:
    """The Python files a layout drawing names, as paths from the repository's root.

    The drawing is design.md's: ``sim/`` at column 0, ``  name/`` opening a
    package, modules indented under it (several to a line, ``*`` allowed) with
    a description after two spaces, deeper lines continuing a description (a
    module named there belongs to the package too), other files at column 0.
    """
    found, package = [], "sim/"
    for line in tree.splitlines():
        indent = len(line) - len(line.lstrip())
        column = re.split(r"\s{2,}", line.strip())[0]
        if indent > 4:
            found += [package + name for name in MODULE.findall(line)]
        elif indent == 2 and column.endswith("/"):
            package = f"sim/{column}"
        else:
            prefix = {0: "", 2: "sim/"}.get(indent, package)
            found += [prefix + name for name in MODULE.findall(column)]
    return found


# -- shell commands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One ``credsim`` invocation shown in a page, with the output shown under it."""

    page: Path
    line: int
    args: tuple[str, ...]
    output: tuple[str, ...] | None  # console blocks only; None when none is shown
    head: int | None  # `| head -N`: only the first N lines are shown

    @property
    def text(self) -> str:
        return shlex.join(("credsim", *self.args))

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def segments(line: str) -> Iterator[list[str]]:
    """The simple commands of a shell line (split at ``&&``, ``;``, ``|``), comments dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    current: list[str] = []
    for token in lexer:
        if token in {"&&", "||", ";", "|", ">", ">>", "<"}:
            yield current
            current = [token]
        else:
            current.append(token)
    yield current


def invocation(words: list[str]) -> tuple[str, ...] | None:
    """The arguments of a ``credsim`` or ``python -m sim`` command, else None."""
    if words[:1] == ["credsim"]:
        return tuple(words[1:])
    if words[:3] == ["python", "-m", "sim"]:
        return tuple(words[3:])
    return None


def shell_lines(block: Block) -> Iterator[tuple[int, str, list[str]]]:
    """(line, command, output lines) of a shell block; only console blocks show output."""
    lines = block.text.replace("\\\n", " ").splitlines()
    if block.lang != "console":
        yield from ((block.line + number, line, []) for number, line in enumerate(lines))
        return
    for number, line in enumerate(lines):
        if line.startswith("$ "):
            output = []
            for after in lines[number + 1 :]:
                if after.startswith("$ "):
                    break
                output.append(after.rstrip())
            yield block.line + number, line[2:], output


def commands(pages: Iterable[Path]) -> list[Command]:
    """Every credsim command in the shell blocks of the pages."""
    found = []
    for page in pages:
        for block in (block for block in blocks(page) if block.lang in SHELLS):
            for line, text, output in shell_lines(block):
                parts = list(segments(text))
                args = invocation(parts[0])
                if args is None:
                    continue
                head = next((int(p[2][1:]) for p in parts[1:] if p[:2] == ["|", "head"]), None)
                shown = tuple(output) if block.lang == "console" else None
                found.append(Command(page, line, args, shown, head))
    return found


def fits(shown: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` reads as ``shown``, where a ``...`` line stands for any lines."""
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(fits(shown[1:], actual[skip:]) for skip in range(len(actual) + 1))
    return bool(actual) and actual[0] == shown[0] and fits(shown[1:], actual[1:])
