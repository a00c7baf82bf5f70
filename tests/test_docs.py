"""The documentation stays true: README.md and docs/*.md are checked against the code.

A reference page that drifts from the program is worse than none, so each page
is read here as data: its links must lead somewhere (files and headings,
GitHub's anchors), every ``credsim`` command in a shell block must parse
against the real click command tree, the cheap ones must run and print what
the page shows, every command and option must be documented in docs/cli.md,
and every TOML snippet must load as (part of) a scenario. Project files that
cite a page (scenario comments, docstrings) must cite one that exists.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.core import ParameterSource
from click.testing import CliRunner

from sim.cli.commands import main
from sim.world.load import load_scenario, load_scenario_bytes
from tests.doc_pages import (
    Block,
    Command,
    blocks,
    broken,
    code_spans,
    commands,
    fits,
    headings,
    relative_links,
    slug,
    tree_files,
)
from tests.paths import ROOT, SCENARIOS

README = ROOT / "README.md"
PAGES = (README, *sorted((ROOT / "docs").glob("*.md")))
CLI_PAGE = ROOT / "docs" / "cli.md"
README_MAX_BYTES = 8192


# -- the size and the links --------------------------------------------------------------


def test_readme_is_short() -> None:
    assert README.stat().st_size <= README_MAX_BYTES


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    links = list(relative_links(page))
    assert links, f"{page.name} links to nothing"
    assert [why for target in links if (why := broken(page, target))] == []


def test_the_readme_links_every_docs_page() -> None:
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in relative_links(README)}
    assert set(PAGES[1:]) <= linked


def test_the_anchor_rule_is_githubs() -> None:
    assert slug("`credsim report FILE -o OUT.html`") == "credsim-report-file--o-outhtml"
    assert slug("Ties at one instant") == "ties-at-one-instant"
    assert slug("1. Describe what to check") == "1-describe-what-to-check"
    assert slug("Users' own calls, streams and plans") == "users-own-calls-streams-and-plans"


def test_a_broken_link_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# One\n\n[a](page.md#one) [b](page.md#two) [c](gone.md)\n")
    assert [broken(page, target) for target in relative_links(page)] == [
        None,
        "page.md#two: no heading #two in page.md",
        "gone.md: no such file",
    ]


# -- paths the pages name ---------------------------------------------------------------

WHEEL_ONLY = frozenset({"sim/_bundled/"})
"""Paths that exist only inside a built wheel (the build's copy of the bundled files)."""
REPO_PATH = re.compile(r"(?:sim|tests|scenarios|examples|benchmarks|docs|notebooks|\.ci)/[\w./-]*")


def absent(path: str) -> bool:
    """Whether a path (``*`` allowed) names nothing in the repository (or in a wheel)."""
    return path not in WHEEL_ONLY and not any(ROOT.glob(path))


def test_paths_in_code_spans_exist() -> None:
    named = {
        word.rstrip(".,;:")
        for page in PAGES
        for span in code_spans(page)
        for word in span.split()
        if REPO_PATH.fullmatch(word.rstrip(".,;:")) and "<" not in word
    }
    assert "sim/engines/fast.py" in named
    assert sorted(path for path in named if absent(path)) == []


def test_the_layout_drawing_names_every_module() -> None:
    drawing = [b for b in blocks(ROOT / "docs" / "design.md") if "  account/" in b.text]
    listed = tree_files(drawing[0].text)
    assert sorted(path for path in listed if absent(path)) == []
    shown = {found for path in listed for found in ROOT.glob(path)}
    modules = {
        path
        for path in (ROOT / "sim").rglob("*.py")
        if path.name != "__init__.py" or path.parent.name == "sim"
    }
    assert sorted(str(path.relative_to(ROOT)) for path in modules - shown) == []


# -- citations of the docs in other project files ----------------------------------------

CITING = ("sim", "tests", "scenarios", "examples", "benchmarks", "notebooks", ".ci", ".streamlit")
DOC_CITATION = re.compile(r"docs/([\w.-]+\.md)(#[\w-]+)?")
README_SECTION = re.compile(r"README(?:'s)?,? (?:section )?\"([^\"]+)\"")


def citing_files() -> Iterator[Path]:
    """Project files that may cite the docs (sources, scenarios, comments, notebooks)."""
    yield from (ROOT / "app_dashboard.py", ROOT / "pyproject.toml")
    yield from (ROOT / "docs").glob("*.py")
    for folder in CITING:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".toml", ".csv", ".ipynb", ".j2", ""}:
                yield path


def citation_problems(where: Path, text: str, readme_sections: set[str]) -> list[str]:
    """Citations in a project file that lead nowhere, or outside the project."""
    problems = [
        f"{where}: {why}"
        for match in DOC_CITATION.finditer(text)
        if (why := broken(ROOT / "README.md", f"docs/{match[1]}{match[2] or ''}"))
    ]
    problems += [
        f"{where}: README has no section {match[1]!r}"
        for match in README_SECTION.finditer(text)
        if match[1] not in readme_sections
    ]
    problems += [f"{where}: cites ../shared" for _ in re.finditer(re.escape("../shared"), text)]
    problems += [f"{where}: cites domain.md" for _ in re.finditer(r"\bdomain\.md", text)]
    return problems


def test_project_files_cite_pages_that_exist() -> None:
    readme_sections = set(headings(README))
    problems = [
        problem
        for path in citing_files()
        if path != Path(__file__).resolve() and path.stat().st_size < 2_000_000
        for problem in citation_problems(
            path.relative_to(ROOT),
            path.read_text(encoding="utf-8", errors="replace"),
            readme_sections,
        )
    ]
    assert problems == []


def test_a_stale_citation_is_reported() -> None:
    text = 'See docs/model.md#lots, docs/model.md#no-such, docs/gone.md, README, "Design".'
    assert citation_problems(Path("x.py"), text, {"Quick start"}) == [
        "x.py: docs/model.md#no-such: no heading #no-such in docs/model.md",
        "x.py: docs/gone.md: no such file",
        "x.py: README has no section 'Design'",
    ]


FILE_CITATION = re.compile(
    r"(?<![\w/.-])((?:\.\./)*[\w-][\w.-]*(?:/[\w.-]+)*\.(?:toml|csv|json|md|py))(?![\w/-])"
)
"""A relative path to a project file as comments write it: rates/sample-usd.csv, docs/x.md."""


def cited_files(path: Path) -> Iterator[tuple[int, str]]:
    """(line, path) of each file a scenario's comments or a rate table's text names.

    TOML: the part of a line from its ``#`` (values are checked by the loader).
    CSV: every line, so that notes citing a page are held to it too. Paths of
    Microsoft's documentation (``Teams/...``) are not project files.
    """
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line if path.suffix == ".csv" else line.partition("#")[2]
        for match in FILE_CITATION.finditer(text):
            if not match[1].startswith("Teams/"):
                yield number, match[1]


def missing_citations(path: Path, bases: tuple[Path, ...]) -> list[str]:
    """Cited files found under none of ``bases`` (the file's folder, scenarios/, the root)."""
    return [
        f"{path.name}:{line}: {cited} does not exist"
        for line, cited in cited_files(path)
        if not any((base / cited).exists() for base in bases)
    ]


def test_scenarios_and_rate_tables_cite_files_that_exist() -> None:
    files = sorted(p for p in SCENARIOS.rglob("*") if p.suffix in {".toml", ".csv"})
    assert any(cited == "rates/sample-eur.csv" for f in files for _, cited in cited_files(f))
    problems = [
        problem
        for path in files
        for problem in missing_citations(path, (path.parent, SCENARIOS, ROOT))
    ]
    assert problems == []


def test_a_citation_of_a_missing_file_is_reported(tmp_path: Path) -> None:
    text = 'name = "x"  # see docs/model.md, rates/gone.csv\n# and docs/domain.md\nurl = "a.md"\n'
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    assert missing_citations(tmp_path / "s.toml", (tmp_path, ROOT)) == [
        "s.toml:1: rates/gone.csv does not exist",
        "s.toml:2: docs/domain.md does not exist",
    ]


# -- shell commands ----------------------------------------------------------------------


COMMANDS = commands(PAGES)


def options_of(command: click.Command) -> set[str]:
    """Every spelling of every option of a command (``-o``, ``--out``, ``--help`` ...)."""
    names = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    return names | {"-h", "--help"}


def parse_problems(args: tuple[str, ...]) -> list[str]:
    """What is wrong with ``credsim ARGS`` for the real command tree (parsing only)."""
    root = click.Context(main, info_name="credsim", resilient_parsing=True)
    command = main.get_command(root, args[0]) if args else None
    if command is None:
        return [f"no command {args[:1]}"]
    known = options_of(command)
    unknown = [w for w in args[1:] if w.startswith("-") and w.split("=")[0] not in known]
    if unknown:
        return [f"unknown option(s) {unknown}"]
    try:
        ctx = command.make_context(args[0], list(args[1:]), parent=root, resilient_parsing=True)
    except click.ClickException as error:
        return [error.format_message()]
    given = {n for n in ctx.params if ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE}
    problems = [f"extra arguments {ctx.args}"] if ctx.args else []
    problems += [f"missing {p.name}" for p in command.params if p.required and p.name not in given]
    problems += [
        f"bad value for {p.name}"
        for p in command.params
        if isinstance(p, click.Option) and p.name in given and ctx.params[p.name] is None
    ]
    return problems


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.where)
def test_every_shown_command_parses(command: Command) -> None:
    assert parse_problems(command.args) == [], command.text


@pytest.mark.parametrize(
    "args",
    [
        ("fly", "scenarios/midsize.toml"),
        ("run", "scenarios/midsize.toml", "--replicas", "5"),
        ("run", "scenarios/midsize.toml", "--engine", "warp"),
        ("sweep", "scenarios/midsize.toml", "--triggers", "50:100:50"),
        ("validate", "a.toml", "b.toml"),
        ("backtest", "calls.csv", "--card-expired", "soon"),
    ],
)
def test_a_wrong_command_does_not_parse(args: tuple[str, ...]) -> None:
    assert parse_problems(args)


def test_the_pages_show_commands() -> None:
    shown = {command.args[0] for command in COMMANDS if command.args}
    assert shown >= {"backtest", "validate", "demand", "run", "sweep", "report", "regress"}


# -- the cheap commands run and print what the page shows --------------------------------

CHEAP = frozenset(
    {
        "credsim backtest examples/calls.csv",
        "credsim backtest examples/teams-pstn-report.csv",
        "credsim backtest examples/tenant-usage.csv",
        "credsim backtest examples/walkthrough.csv --trigger 50 --amount 100 --initial 100",
        "credsim backtest examples/walkthrough.csv --no-auto-recharge --initial 100",
        "credsim backtest bad.csv",
        "credsim validate scenarios/midsize.toml",
        "credsim validate scenarios/small-team.toml",
        "credsim validate scenarios/enterprise.toml",
        "credsim validate scenarios/card-expiry.toml",
        "credsim validate scenarios/checks/rate-card.toml",
        "credsim validate small-team",
        "credsim validate typo.toml",
        "credsim demand scenarios/midsize.toml",
        "credsim demand scenarios/small-team.toml --json",
    }
)
"""Commands quick enough to run here (a second or less each, in process)."""

BAD_FILES = {
    "typo.toml": (
        '[scenario]\nname = "typo"\nstart = "2027-01-01T00:00:00Z"\n\n[[streams]]\n'
        'name = "line"\nservice = "toll_free_dial_in"\ncalls_per_dya = 20\n'
        'duration_min = { dist = "fixed", value = 10 }\nrate_per_min = 0.05\n'
    ),
    "bad.csv": (
        "start,end,service,charge\n"
        "2025-01-06T09:00:00Z,2025-01-06T09:10:00Z,toll_free_dial_in,1.00\n"
        "2025-01-06T10:00:00Z,2025-01-06T10:10:00Z,toll_free_dial_in,-1.00\n"
    ),
}
"""The broken files the pages' error examples are about."""


def runnable(args: tuple[str, ...], tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The arguments to run with, and the replacements that turn the output back."""
    run_args, back = [], {}
    for arg in args:
        if arg in BAD_FILES:
            path = tmp_path / arg
            path.write_text(BAD_FILES[arg], encoding="utf-8")
            run_args.append(str(path))
            back[str(path)] = arg
        else:
            run_args.append(arg)
    return run_args, back


def test_the_runnable_commands_are_shown() -> None:
    assert {command.text for command in COMMANDS} >= CHEAP


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c.text in CHEAP], ids=lambda command: command.where
)
def test_cheap_commands_run_as_shown(
    command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    args, back = runnable(command.args, tmp_path)
    result = CliRunner().invoke(main, args, prog_name="credsim")
    output = result.output
    for path, shown in back.items():
        output = output.replace(path, shown)
    failed = any(line.startswith("credsim: error:") for line in command.output or ())
    assert result.exit_code == (2 if failed else 0), output
    if command.output is not None:
        actual = output.splitlines()[: command.head]
        assert fits(list(command.output), [line.rstrip() for line in actual]), output


def test_the_output_matcher() -> None:
    assert fits(["a", "...", "d"], ["a", "b", "c", "d"])
    assert fits(["a", "...", "b"], ["a", "b"])
    assert not fits(["a", "...", "d"], ["a", "b", "c"])
    assert not fits(["a", "b"], ["a", "b", "c"])


# -- every command and option is documented ----------------------------------------------


def cli_sections() -> dict[str, str]:
    """docs/cli.md's text per command: the ``## `credsim NAME ...``` sections."""
    text = CLI_PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## `credsim (\w+)[^`]*`\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_command_has_a_section_with_all_its_options() -> None:
    sections = cli_sections()
    root = click.Context(main, info_name="credsim")
    missing = {
        name: sorted(
            opt
            for param in main.commands[name].params
            if isinstance(param, click.Option)
            for opt in param.opts
            if opt.startswith("--")
            and not re.search(f"`{re.escape(opt)}(?![\\w-])", sections.get(name, ""))
        )
        for name in main.list_commands(root)
    }
    assert set(main.commands) <= set(sections)
    assert {name: opts for name, opts in missing.items() if opts} == {}


def test_every_documented_option_exists() -> None:
    unknown = {}
    for name, section in cli_sections().items():
        assert name in main.commands, name
        synopsis = " ".join(
            b.text for b in blocks(CLI_PAGE) if b.lang == "text" and b.text in section
        )
        documented = set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", synopsis))
        unknown[name] = sorted(documented - options_of(main.commands[name]))
    assert {name: opts for name, opts in unknown.items() if opts} == {}


# -- scenario snippets -------------------------------------------------------------------

BASE = (
    '[scenario]\nname = "snippet"\nstart = "2027-01-01T00:00:00Z"\n\n[[streams]]\n'
    'name = "base"\nservice = "toll_free_dial_in"\ncalls_per_day = 1\n'
    'duration_min = { dist = "fixed", value = 1 }\nrate_per_min = 0.05\n\n'
)
"""A minimal scenario a partial snippet is added to (it defines only [scenario], a stream)."""

TOML_BLOCKS = [b for page in PAGES for b in blocks(page) if b.lang == "toml"]


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=lambda b: f"{b.page.name}:{b.line}")
def test_every_toml_snippet_loads(block: Block) -> None:
    document = tomllib.loads(block.text)
    whole = "scenario" in document
    text = block.text if whole else BASE + block.text
    loaded = load_scenario_bytes(text.encode(), source=Path("snippet.toml"), folder=SCENARIOS)
    assert loaded.scenario.scenario.name == (document["scenario"]["name"] if whole else "snippet")


def test_the_whole_example_is_the_file_it_names() -> None:
    page = ROOT / "docs" / "scenarios.md"
    whole = [b for b in blocks(page) if b.lang == "toml" and "[scenario]" in b.text]
    assert len(whole) == 1
    file = SCENARIOS / "checks" / "poisson-manual.toml"
    assert tomllib.loads(whole[0].text) == tomllib.loads(file.read_text(encoding="utf-8"))
    assert load_scenario(file).scenario.policy.initial_balance == Decimal(1850)
