"""The player guide and the operator guide agree with the command catalogue and the files.

- every player command of the catalogue has a section in the player guide, with a table row
  for each of its options (in catalogue order) that states whether it is required, its bounds,
  its choices and its default, and at least one example;
- every admin command appears in the player guide's admin section;
- every command line in either guide (a line or a code span starting with ``/command``) names
  a real command with real option names, and a full example parses as the catalogue parses it
  (choices, ranges, required options);
- every relative link in either guide points to an existing file, and an anchor to an
  existing heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from greatwork.bot.directory import ChannelRole
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.options import Option
from greatwork.commands.spec import ADMIN_GROUP, CommandSpec
from greatwork.play.script import Run, ScriptError, parse_line
from greatwork.rules.errors import InvalidInput

DOCS: Final = Path(__file__).resolve().parent.parent / "docs"
PLAYER_GUIDE: Final = DOCS / "player-guide.md"
OPERATOR_GUIDE: Final = DOCS / "operator-guide.md"
GUIDES: Final = (PLAYER_GUIDE, OPERATOR_GUIDE)

SETUP: Final = f"{ADMIN_GROUP} setup"
SETUP_OPTIONS: Final = frozenset(str(role) for role in ChannelRole)
"""``/gw_admin setup`` is Discord-only (the bot adds it, one option per channel role), so the
catalogue does not list it."""

COMMANDS_HEADING: Final = "The commands"
ADMIN_HEADING: Final = "For admins"

PLAYER_SPECS: Final = tuple(s for s in CATALOGUE if not s.admin)
ADMIN_SPECS: Final = tuple(s for s in CATALOGUE if s.admin)

_HEADING: Final = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE: Final = re.compile(r"^\s*(```|~~~)")
_SPAN: Final = re.compile(r"`([^`]+)`")
_COMMAND_WORD: Final = re.compile(r"^/[-_A-Za-z0-9]{1,32}$")
_LINK: Final = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


# --- a small markdown reader -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a guide: its number, its text, and whether it is inside a code block."""

    number: int
    text: str
    code: bool


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the lines under it, up to the next heading of the same or a higher level."""

    title: str
    level: int
    number: int
    lines: tuple[Line, ...]


def read_lines(text: str) -> list[Line]:
    lines = []
    fenced = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        lines.append(Line(number, raw, fenced))
    return lines


def headings(lines: list[Line]) -> list[tuple[int, int, str]]:
    """``(index in lines, level, title)`` of every heading outside code blocks."""
    found = []
    for index, line in enumerate(lines):
        match = None if line.code else _HEADING.match(line.text)
        if match:
            found.append((index, len(match.group(1)), match.group(2)))
    return found


def sections(text: str) -> list[Section]:
    lines = read_lines(text)
    marks = headings(lines)
    result = []
    for position, (index, level, title) in enumerate(marks):
        end = len(lines)
        for later, later_level, _ in marks[position + 1 :]:
            if later_level <= level:
                end = later
                break
        result.append(Section(title, level, lines[index].number, tuple(lines[index + 1 : end])))
    return result


def plain(title: str) -> str:
    return title.replace("`", "").strip()


def the_section(text: str, title: str) -> Section:
    found = [s for s in sections(text) if plain(s.title) == title]
    assert len(found) == 1, f"expected one section titled {title!r}, found {len(found)}"
    return found[0]


def slug(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", plain(title).lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, _, title in headings(read_lines(text)):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def option_table(section: Section) -> list[list[str]]:
    """The cells of each row of the section's options table (the one headed ``| option |``)."""
    rows: list[list[str]] = []
    inside = False
    for line in section.lines:
        cells = [c.strip() for c in line.text.strip().strip("|").split("|")]
        if line.code or not line.text.lstrip().startswith("|"):
            if inside:
                break
            continue
        if not inside:
            inside = cells[0] == "option"
            continue
        if set(cells[0]) <= set("-: "):
            continue  # the separator row
        rows.append(cells)
    return rows


# --- command lines ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Example:
    """A command line found in a guide: in a code block (a full example) or a code span."""

    where: str
    text: str
    full: bool


def command_lines(path: Path) -> list[Example]:
    found = []
    for line in read_lines(path.read_text(encoding="utf-8")):
        where = f"{path.name}:{line.number}"
        if line.code:
            candidates = [(line.text.strip(), True)]
        else:
            candidates = [(span.strip(), False) for span in _SPAN.findall(line.text)]
        for text, full in candidates:
            words = text.split()
            if words and _COMMAND_WORD.match(words[0]):
                found.append(Example(where, text, full))
    return found


def problems_of(example: Example) -> list[str]:
    """What is wrong with a command line, as the catalogue sees it (empty: nothing)."""
    text = example.text
    if text == f"/{ADMIN_GROUP}":
        return []  # the group itself, named in prose
    try:
        run = parse_line(f"@guide {text}", 1)
    except ScriptError as error:
        return [f"{text!r}: {error.problem}"]
    assert isinstance(run, Run)
    return [f"{text!r}: {problem}" for problem in run_problems(run, full=example.full)]


def run_problems(run: Run, *, full: bool) -> list[str]:
    """A parsed command line against the catalogue; a prose mention (not full) may omit options."""
    if run.path == SETUP:
        unknown = sorted(set(run.options) - SETUP_OPTIONS)
        return [f"/{SETUP} has no option {name!r}" for name in unknown]
    spec = CATALOGUE.get(run.path)
    if spec is None:
        return [f"there is no command /{run.path}"]
    if run.options or full:
        try:
            spec.parse_options(run.options)
        except InvalidInput as error:
            return [error.message]
    return []


def test_the_example_checker_catches_what_it_should() -> None:
    def check(text: str, *, full: bool = True) -> list[str]:
        return problems_of(Example("t", text, full))

    assert check('/submit_theory theory:"Bronze Age flight" confidence:certain') == []
    field = "/launch_expedition code:A objective:x expedition_type:field confidence:suspect"
    assert check(field) == []
    assert check("/gw_admin setup gazette:#news admin:#staff") == []
    assert check("/recruit", full=False) == []
    assert "no command /submit_theroy" in check("/submit_theroy", full=False)[0]
    assert "no option `belief`" in check("/submit_theory theory:x confidence:certain belief:y")[0]
    assert "must be one of" in check("/submit_theory theory:x confidence:sure")[0]
    assert "must be at most 20" in check("/gazette limit:30")[0]
    assert "needs the option `faction`" in check("/recruit scholar_id:ironquill")[0]
    assert "Option `funding`" in check(f"{field} funding:navy")[0]
    assert "no option 'channel'" in check("/gw_admin setup channel:#x")[0]
    assert "close the quote" in check('/table_talk message:"unclosed')[0]


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.name)
def test_every_command_line_names_a_real_command_with_real_options(path: Path) -> None:
    examples = command_lines(path)
    assert examples, f"{path.name} has no command lines to check"
    problems = [f"{e.where}: {p}" for e in examples for p in problems_of(e)]
    assert problems == []


# --- the player guide covers the catalogue ---------------------------------------------------


def player_text() -> str:
    return PLAYER_GUIDE.read_text(encoding="utf-8")


def command_sections() -> dict[str, Section]:
    """The player guide's command sections, by command name (``/submit_theory`` headings)."""
    text = player_text()
    commands = the_section(text, COMMANDS_HEADING)
    level = commands.level + 2
    found: dict[str, Section] = {}
    for section in sections(text):
        title = plain(section.title)
        if section.level == level and title.startswith("/"):
            assert title[1:] not in found, f"two sections for {title}"
            found[title[1:]] = section
    first, last = commands.number, commands.lines[-1].number
    outside = [f"/{name}" for name, s in found.items() if not first < s.number <= last]
    assert outside == [], f"command sections outside {COMMANDS_HEADING!r}"
    return found


def test_the_player_guide_has_a_section_for_every_player_command_and_no_other() -> None:
    assert sorted(command_sections()) == sorted(s.name for s in PLAYER_SPECS)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _has_number(text: str, value: float) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(_number(value))}(?![\d.])", text) is not None


def row_problems(spec: CommandSpec, option: Option, cells: list[str]) -> list[str]:
    """What the option's row of the guide gets wrong, compared with the catalogue."""
    where = f"/{spec.name} {option.name}"
    if len(cells) != 4:
        return [f"{where}: expected 4 cells (option, what, allowed, default), got {cells}"]
    name, _, allowed, default = cells
    problems = []
    if option.required and (name.startswith("[") or default != "required"):
        problems.append(f"{where}: required in the catalogue; write it as such")
    if not option.required and (not name.startswith("[") or default == "required"):
        problems.append(f"{where}: optional in the catalogue; bracket it and give its default")
    bounds = (
        option.min_value,
        option.max_value,
        option.min_length,
        option.max_length,
        option.max_items,
    )
    problems.extend(
        f"{where}: the bound {_number(b)} is missing from {allowed!r}"
        for b in bounds
        if b is not None and not _has_number(allowed, b)
    )
    problems.extend(
        f"{where}: the choice `{c.value}` is missing from {allowed!r}"
        for c in option.choices
        if f"`{c.value}`" not in allowed
    )
    expected = option.default
    if isinstance(expected, bool):
        expected = str(expected).lower()
    if expected not in (None, "", ()) and not re.search(
        rf"(?<![\w.]){re.escape(str(expected))}(?![\w.])", default
    ):
        problems.append(f"{where}: the default {expected!r} is missing from {default!r}")
    return problems


@pytest.mark.parametrize("spec", PLAYER_SPECS, ids=lambda s: s.name)
def test_each_command_section_lists_its_options_as_the_catalogue_has_them(
    spec: CommandSpec,
) -> None:
    section = command_sections()[spec.name]
    rows = option_table(section)
    names = [r[0].strip("[]`") for r in rows]
    assert names == [o.name for o in spec.options]
    problems = [
        p for o, r in zip(spec.options, rows, strict=True) for p in row_problems(spec, o, r)
    ]
    assert problems == []


@pytest.mark.parametrize("spec", PLAYER_SPECS, ids=lambda s: s.name)
def test_each_command_section_has_an_example_of_its_command(spec: CommandSpec) -> None:
    section = command_sections()[spec.name]
    examples = [x.text for x in section.lines if x.code and x.text.strip()]
    assert examples, f"/{spec.name} has no example"
    assert all(e.split()[0] == f"/{spec.name}" for e in examples), examples


def test_the_row_checker_catches_a_wrong_row() -> None:
    spec = CATALOGUE.find("gazette")
    limit = spec.options[0]
    good = ["[`limit`]", "how many headlines", "1 to 20", "5"]
    assert row_problems(spec, limit, good) == []
    assert "the bound 20" in row_problems(spec, limit, ["[`limit`]", "x", "1 to 30", "5"])[0]
    assert "the default 5" in row_problems(spec, limit, ["[`limit`]", "x", "1 to 20", "8"])[0]
    assert "optional" in row_problems(spec, limit, ["`limit`", "x", "1 to 20", "required"])[0]
    recruit = CATALOGUE.find("recruit")
    faction = recruit.option("faction")
    assert faction is not None
    row = ["`faction`", "x", "`academia`, `government`, `industry`, `religion`", "required"]
    assert "`foreign`" in row_problems(recruit, faction, row)[0]


# --- the admin section -----------------------------------------------------------------------


def test_the_admin_section_lists_every_admin_command() -> None:
    section = the_section(player_text(), ADMIN_HEADING)
    spans = {span.strip() for line in section.lines for span in _SPAN.findall(line.text)}
    missing = [f"/{s.path}" for s in ADMIN_SPECS if f"/{s.path}" not in spans]
    assert missing == []
    assert f"/{SETUP}" in spans
    assert spans >= SETUP_OPTIONS


def test_the_admin_section_comes_after_the_commands() -> None:
    titles = [plain(s.title) for s in sections(player_text()) if s.level == 2]
    assert titles.index(ADMIN_HEADING) > titles.index(COMMANDS_HEADING)


# --- links -----------------------------------------------------------------------------------


def link_problems(path: Path) -> list[str]:
    """Every relative link of a guide that points to no file, or to no heading of its file."""
    problems = []
    for line in read_lines(path.read_text(encoding="utf-8")):
        if line.code:
            continue
        for target in _LINK.findall(_SPAN.sub("", line.text)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # https:, mailto:
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.name}:{line.number}: {target}"
            if not linked.is_file():
                problems.append(f"{where}: no such file")
            elif (
                anchor
                and linked.suffix == ".md"
                and anchor not in anchors(linked.read_text(encoding="utf-8"))
            ):
                problems.append(f"{where}: no heading with the anchor #{anchor}")
    return problems


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.name)
def test_every_relative_link_points_to_an_existing_file_and_heading(path: Path) -> None:
    assert _LINK.search(path.read_text(encoding="utf-8")), f"{path.name} links nowhere"
    assert link_problems(path) == []


def test_the_link_checker_catches_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# A heading: with `code`\n", encoding="utf-8")
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Top\n"
        "[ok](there.md) [ok](there.md#a-heading-with-code) [ok](#top) [web](https://x.org/y)\n"
        "[bad](missing.md) [bad](there.md#nowhere) [bad](#bottom)\n"
        "```\n[inside code](ignored.md)\n```\n",
        encoding="utf-8",
    )
    problems = link_problems(guide)
    assert [p.split(": ")[1] for p in problems] == [
        "missing.md",
        "there.md#nowhere",
        "#bottom",
    ]


def test_slugs_follow_github() -> None:
    assert slug("3. Intents") == "3-intents"
    assert slug("`/gw_admin adjust_reputation`") == "gw_admin-adjust_reputation"
    assert slug("Poaching, counter-offers and defection") == "poaching-counter-offers-and-defection"
    assert anchors("# Errors\n## Errors\n") == {"errors", "errors-1"}
