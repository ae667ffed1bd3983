"""The play language's parser: lines, scripts, options and durations."""

from __future__ import annotations

import pytest

from greatwork.play.script import (
    MAX_ADVANCE,
    MAX_DIGESTS,
    Advance,
    Digest,
    MakeAdmin,
    Roll,
    Run,
    ScriptError,
    Seed,
    parse_duration,
    parse_line,
    parse_options,
    parse_script,
)
from greatwork.rules.errors import GreatworkError

# --- parse_line --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "# a comment", "   # indented", "#> ok", "\t"])
def test_blanks_and_comments_are_nothing(text: str) -> None:
    assert parse_line(text, 1) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Ada /status", Run(line=7, player="Ada", path="status")),
        (
            '@Ada /submit_theory theory:"Bronze Age flight" confidence:certain',
            Run(
                line=7,
                player="Ada",
                path="submit_theory",
                options={"theory": "Bronze Age flight", "confidence": "certain"},
            ),
        ),
        (
            "  @bo.smith-2 /gazette limit:3  ",
            Run(line=7, player="bo.smith-2", path="gazette", options={"limit": "3"}),
        ),
        (
            '@Root /gw_admin adjust_reputation player_id:Bo delta:-5 reason:"a fine paper"',
            Run(
                line=7,
                player="Root",
                path="gw_admin adjust_reputation",
                options={"player_id": "Bo", "delta": "-5", "reason": "a fine paper"},
            ),
        ),
        ("@Root /gw_admin run_digest", Run(line=7, player="Root", path="gw_admin run_digest")),
        ('@Ada /table_talk message:""', Run(7, "Ada", "table_talk", {"message": ""})),
        ("@Ada /help command:a:b", Run(7, "Ada", "help", {"command": "a:b"})),
        ("@Ada /nonsense", Run(line=7, player="Ada", path="nonsense")),
        ("!admin Root", MakeAdmin(line=7, player="Root")),
        ("!seed 42", Seed(line=7, seed=42)),
        ("!seed 0", Seed(line=7, seed=0)),
        ("!digest", Digest(line=7, count=1)),
        ("!digest 14", Digest(line=7, count=14)),
        ("!advance 6h", Advance(line=7, seconds=6 * 3600)),
        ("!advance 1d6h", Advance(line=7, seconds=30 * 3600)),
        ("!roll 1", Roll(line=7, value=1)),
        ("!roll 100", Roll(line=7, value=100)),
    ],
)
def test_statements(text: str, expected: object) -> None:
    assert parse_line(text, 7) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("hello", "expected `@NAME /command ...`, `!directive` or `# comment`, got 'hello'"),
        ("/status", "expected `@NAME /command ...`"),
        ("@ /status", "bad player name ''"),
        ("@-ada /status", "bad player name '-ada'"),
        ("@" + "a" * 33 + " /status", "bad player name"),
        ("@Ada", "expected a /command after @Ada"),
        ("@Ada /", "expected a /command after @Ada"),
        ("@Ada status", "expected a /command after @Ada"),
        ("@Ada /gw_admin", "/gw_admin needs a subcommand (type /help gw_admin)"),
        ("@Ada /gw_admin delta:5", "/gw_admin needs a subcommand"),
        ("@Ada /status verbose", "expected key:value, got 'verbose'"),
        ("@Ada /status Verbose:1", "bad option name 'Verbose'"),
        ("@Ada /status :1", "bad option name ''"),
        ("@Ada /gazette limit:1 limit:2", "option 'limit' given twice"),
        ('@Ada /submit_theory theory:"open', "No closing quotation (close the quote)"),
        ("!", "unknown directive !"),
        ("!DIGEST", "unknown directive !DIGEST"),
        ("!quit", "unknown directive !quit"),
        ("!admin", "usage: !admin NAME"),
        ("!admin a b", "usage: !admin NAME"),
        ("!admin no!", "bad player name 'no!'"),
        ("!seed", "usage: !seed N"),
        ("!seed -1", "the seed must be between 0 and"),
        ("!seed x", "the seed must be a whole number, got 'x'"),
        ("!digest 0", f"the digest count must be between 1 and {MAX_DIGESTS}, got 0"),
        (f"!digest {MAX_DIGESTS + 1}", "the digest count must be between"),
        ("!digest 1 2", "usage: !digest [N]"),
        ("!advance", "usage: !advance 6h"),
        ("!advance 0h", "expected a duration like 6h, 90m, 2d or 1d6h, got '0h'"),
        ("!advance 6", "expected a duration"),
        ("!advance 3651d", "!advance moves at most 3650 days at once"),
        ("!roll", "usage: !roll N (1 to 100)"),
        ("!roll 0", "the roll must be between 1 and 100, got 0"),
        ("!roll 101", "the roll must be between 1 and 100, got 101"),
        ("!roll 5.5", "the roll must be a whole number, got '5.5'"),
    ],
)
def test_bad_lines_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ScriptError) as caught:
        parse_line(text, 12)
    error = caught.value
    assert isinstance(error, GreatworkError)
    assert error.line == 12
    assert problem in error.problem
    assert str(error).startswith("line 12: ")


def test_a_group_is_only_what_the_parser_is_told() -> None:
    assert parse_line("@Ada /gw_admin", 1, groups=frozenset()) == Run(1, "Ada", "gw_admin")
    assert parse_line("@Ada /ops run x:1", 1, groups=frozenset({"ops"})) == Run(
        1, "Ada", "ops run", {"x": "1"}
    )


def test_the_largest_advance_is_allowed() -> None:
    assert parse_line("!advance 3650d", 1) == Advance(line=1, seconds=MAX_ADVANCE)


# --- parse_options -----------------------------------------------------------------------------


def test_options_keep_everything_after_the_first_colon() -> None:
    assert parse_options(["a:1", "b:x:y", "c:", "d_e-2:v"]) == {
        "a": "1",
        "b": "x:y",
        "c": "",
        "d_e-2": "v",
    }


def test_an_option_without_a_key_is_refused() -> None:
    with pytest.raises(ScriptError, match="line 3: expected key:value, got 'plain'"):
        parse_options(["a:1", "plain"], 3)


# --- parse_script ------------------------------------------------------------------------------


def test_a_script_keeps_statements_in_order_with_their_lines() -> None:
    statements = parse_script(
        [
            "# a scenario",
            "!seed 42",
            "!admin Root",
            "",
            "!roll 95",
            "@Ada /status",
            "!digest 2",
            "!advance 90m",
        ]
    )
    assert statements == [
        Seed(line=2, seed=42),
        MakeAdmin(line=3, player="Root"),
        Roll(line=5, value=95),
        Run(line=6, player="Ada", path="status"),
        Digest(line=7, count=2),
        Advance(line=8, seconds=5400),
    ]


@pytest.mark.parametrize("first", ["@Ada /status", "!digest", "!advance 1h"])
def test_seed_after_a_command_digest_or_advance_is_refused(first: str) -> None:
    with pytest.raises(ScriptError, match="line 3: !seed must come before the first command"):
        parse_script(["!admin Root", first, "!seed 5"])


def test_seed_may_follow_admin_and_come_twice_before_play() -> None:
    assert parse_script(["!admin Root", "!seed 1", "!seed 2"]) == [
        MakeAdmin(line=1, player="Root"),
        Seed(line=2, seed=1),
        Seed(line=3, seed=2),
    ]


def test_the_first_bad_line_stops_the_parse() -> None:
    with pytest.raises(ScriptError) as caught:
        parse_script(["!seed 1", "@Ada /status", "!roll 0", "!shout"])
    assert caught.value.line == 3


def test_an_empty_script_is_no_statements() -> None:
    assert parse_script([]) == []
    assert parse_script(["", "# nothing"]) == []


# --- parse_duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("90m", 5400),
        ("6h", 21600),
        ("2d", 172800),
        ("1d6h", 108000),
        ("1d2h3m4s", 86400 + 7200 + 180 + 4),
        ("0d1s", 1),
        ("006h", 21600),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "0h", "0d0s", "6", "h", "6x", "6h ", " 6h", "6H", "1.5h", "-1h", "6h7", "d1"]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration like 6h, 90m, 2d or 1d6h"):
        parse_duration(text)
