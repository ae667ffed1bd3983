"""The moderation hook: normalisation, the whole-word blocklist, plugging a checker (D14, D15)."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Iterator

import pytest

from greatwork.llm import moderation
from greatwork.llm.moderation import (
    BLOCKLIST,
    PASS,
    Blocklist,
    Chain,
    Entry,
    ModerationSetupError,
    Moderator,
    Verdict,
    check,
    check_output,
    configure,
    current,
    install,
    installed,
    load_moderator,
    normalise,
)
from greatwork.rules.moderation import CATEGORIES, SURFACES

# (text, the listed word it must be blocked for, or None when it must pass)
TABLE: tuple[tuple[str, str | None], ...] = (
    # plain words, any case
    ("We must kill the king", "kill"),
    ("KILL", "kill"),
    ("Kill", "kill"),
    ("kills", "kill"),
    ("Murder the envoy", "murder"),
    ("a bomb in the cellar", "bomb"),
    ("Bombs away", "bomb"),
    ("terrorists", "terrorist"),
    ("suicide", "suicide"),
    ("a suicidal plan", "suicide"),
    ("rapist", "rape"),
    ("raped", "rape"),
    ("racist", "racist"),
    # punctuation around a word is not part of it
    ("kill!", "kill"),
    ("(bomb)", "bomb"),
    ("“murder”", "murder"),
    ("bomb's crater", "bomb"),
    # accents and compatibility forms
    ("Kíll", "kill"),
    ("mürdér", "murder"),
    ("\uff2b\uff29\uff2c\uff2c", "kill"),  # full-width KILL
    ("\U0001d424\U0001d422\U0001d425\U0001d425", "kill"),  # mathematical bold kill
    ("\u1d4f\u2071\u02e1\u02e1", "kill"),  # modifier letters
    # look-alike letters from other scripts
    ("\u043a\u0456ll", "kill"),  # Cyrillic ka and i
    ("b\u03bfmb", "bomb"),  # Greek omicron
    ("\u039a\u0399LL", "kill"),  # Greek capital Kappa and Iota
    ("r\u0430pe", "rape"),  # Cyrillic a
    ("\u0131\u0142", None),  # dotless i, l with stroke: "il" is no word of the list
    ("k\u0131\u0142\u0142", "kill"),
    # digits and symbols standing for letters
    ("k1ll", "kill"),
    ("ki11", "kill"),
    ("k!ll", "kill"),
    ("k||l", "kill"),
    ("b0mb", "bomb"),
    ("$uicide", "suicide"),
    ("5uic1de", "suicide"),
    ("r@pe", "rape"),
    ("r4p3", "rape"),
    ("7errori57", "terrorist"),
    ("murd3r", "murder"),
    # repeated letters
    ("kiiiiill", "kill"),
    ("boooomb", "bomb"),
    # separators inside a word
    ("k.i.l.l", "kill"),
    ("k-i-l-l", "kill"),
    ("k_i_l_l", "kill"),
    ("k\u200bi\u200bl\u200bl", "kill"),  # zero-width spaces
    ("k\u200dill", "kill"),  # zero-width joiner
    ("bo\u00admb", "bomb"),  # soft hyphen
    ("m.u.r.d.e.r", "murder"),
    ("mur.der", "murder"),
    ("b.o.m.b.s", "bomb"),
    ("kill-switch", "kill"),
    ("anti-racist", "racist"),
    # single letters spaced out are one word; a dash between them changes nothing
    ("k i l l", "kill"),
    ("K I L L the king", "kill"),
    ("a b o m b", "bomb"),
    ("k - i - l - l", "kill"),
    ("k. i. l. l.", "kill"),
    # two real words are never joined into one
    ("k ill", None),  # "ill" is a word: not "kill"
    ("s kill", "kill"),  # "kill" stands alone: blocked, and not read as "skill"
    ("mur der", None),
    ("bo mb", None),
    ("the rap ist", None),
    # innocent words that contain a listed one pass
    ("skill", None),
    ("a skilled hand", None),
    ("Skillful", None),
    ("therapeutic", None),
    ("therapist", None),
    ("the rapist", "rape"),  # two words: the second is listed
    ("bombastic", None),
    ("bombard the harbour", None),
    ("Bombay", None),
    ("grapes and drapery", None),
    ("a trapeze", None),
    ("scrape", None),
    ("rapeseed oil", None),
    ("Scunthorpe", None),
    ("an assassin's creed", None),
    ("Kilkenny", None),
    ("killjoy", None),
    ("racism", None),  # not listed: only "racist" is
    ("terrorism", None),
    ("a murderous winter", None),
    # narrative forms a history needs pass (the judgement call, see docs/moderation.md)
    ("The king was murdered in 1422", None),
    ("the city was bombed", None),
    ("the general was killed", None),
    ("a bombing raid", None),
    ("the killing fields", None),
    # ordinary game texts
    ("Bronze Age flight was real", None),
    ("Dig by the harbour", None),
    ("1914 was a long year", None),
    ("I'll see you at the symposium", None),
    ("", None),
    ("   ", None),
    ("!!! $$$ @@@ |||", None),
)


@pytest.mark.parametrize(("text", "word"), TABLE, ids=[repr(t) for t, _ in TABLE])
def test_the_blocklist_table(text: str, word: str | None) -> None:
    verdict = Blocklist().check(text, "theory")
    assert verdict.blocked is (word is not None), verdict
    assert verdict.matched == word
    if word is not None:
        assert verdict.stage == "blocklist"
        assert verdict.category in CATEGORIES
        assert verdict.found
    else:
        assert verdict == PASS


def test_each_entry_has_its_category() -> None:
    categories = {e.word: e.category for e in BLOCKLIST}
    assert categories == {
        "kill": "violence",
        "murder": "violence",
        "bomb": "violence",
        "terrorist": "violence",
        "suicide": "self_harm",
        "rape": "sexual",
        "racist": "hate",
    }
    assert Blocklist().check("a r@cist remark", "table_talk").category == "hate"


def test_the_verdict_says_where_the_word_was_read() -> None:
    assert Blocklist().check("We must k.i.l.l the king", "theory").found == "k.i.l.l"
    assert Blocklist().check("K I L L", "theory").found == "k i l l"
    assert Blocklist().check("Go kill!", "theory").found == "kill!"


def test_the_surface_makes_no_difference_to_the_list() -> None:
    verdicts = {Blocklist().check("b0mb", surface) for surface in SURFACES}
    assert len(verdicts) == 1
    assert verdicts.pop().blocked


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("KILL", "kill"),
        ("Café Crème", "cafe creme"),
        ("Stra\u00dfe", "strasse"),  # case folding, not just lower()
        ("\uff21\uff22\uff23", "abc"),  # full-width
        ("\ufb01ne", "fine"),  # the fi ligature
        ("a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg", "abcdefg"),  # invisible characters
        ("\u0456\u043a\u043e\u0440", "ikop"),  # Cyrillic look-alikes
        ("\u0397\u039d\u039c", "hnm"),  # Greek capitals look like H, N, M
        ("\u03b7\u03bd", "nv"),  # ... and their small forms like n, v
        ("\u00f8\u0142\u0111", "old"),
        ("\u00e6\u0153", "aeoe"),
        ("k1ll $5 @", "k1ll $5 @"),  # digits and symbols are kept: matching reads them
        ("I\u0307stanbul", "istanbul"),  # a dotted capital I loses its dot
    ],
)
def test_normalise(raw: str, folded: str) -> None:
    assert normalise(raw) == folded


def test_normalise_is_idempotent() -> None:
    for text, _ in TABLE:
        once = normalise(text)
        assert normalise(once) == once


def test_long_and_hostile_texts_are_checked_quickly() -> None:
    hostile = [
        "1" * 5_000,
        " ".join("k" * 2_500),
        ".".join("i" * 2_500),
        "k" + "i" * 70 + "ll",
        "ab " * 1_600,
    ]
    started = time.perf_counter()
    verdicts = [Blocklist().check(text, "table_talk") for text in hostile]
    assert time.perf_counter() - started < 2.0
    assert not any(v.blocked for v in verdicts)


def test_a_very_long_word_is_not_compared() -> None:
    assert not Blocklist().check("k" + "i" * 70 + "ll", "theory").blocked
    assert Blocklist().check("k" + "i" * 40 + "ll", "theory").blocked


# --- a custom list --------------------------------------------------------------------------


def test_a_custom_list_blocks_only_its_own_words() -> None:
    custom = Blocklist([Entry("heresy", "abuse", ("heresy", "heretic", "heretics"))])
    assert custom.check("You h3r3tic!", "table_talk").matched == "heresy"
    assert custom.check("H E R E S Y", "table_talk").blocked
    assert not custom.check("kill", "table_talk").blocked
    assert not custom.check("heretical", "table_talk").blocked


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (lambda: Entry("kill", "gore", ("kill",)), "unknown category 'gore'"),
        (lambda: Entry("kill", "violence", ("kill", "k1ll")), "plain lower-case letters"),
        (lambda: Entry("Kill", "violence", ("Kill",)), "plain lower-case letters"),
        (lambda: Entry("kill", "violence", ("kills",)), "headword among its forms"),
        (lambda: Entry("kill", "violence", ("kill", "")), "plain lower-case letters"),
    ],
)
def test_a_malformed_entry_is_refused(entry: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        entry()  # type: ignore[operator]


def test_a_verdict_names_a_known_stage_and_category() -> None:
    with pytest.raises(ValueError, match="needs a stage"):
        Verdict(blocked=True)
    with pytest.raises(
        ValueError, match="needs a stage, one of blocklist, classifier; got 'human'"
    ):
        Verdict(blocked=True, stage="human")
    with pytest.raises(ValueError, match="Unknown stage 'human'"):
        Verdict(blocked=False, stage="human")
    with pytest.raises(ValueError, match="Unknown category 'rude'"):
        Verdict(blocked=True, stage="classifier", category="rude")
    assert Verdict(blocked=True, stage="classifier").category is None


# --- the hook -------------------------------------------------------------------------------


class Flags:
    """A plugged checker for tests: blocks texts containing 'heresy' as a classifier would."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def check(self, text: str, surface: str) -> Verdict:
        self.seen.append((text, surface))
        if "heresy" in text.lower():
            return Verdict(blocked=True, stage="classifier", category="abuse")
        return PASS


class Broken:
    def check(self, text: str, surface: str) -> Verdict:
        raise RuntimeError(f"classifier down for {surface}: {text}")


class Liar:
    def check(self, text: str, surface: str) -> Verdict:
        del text, surface
        return "no"  # type: ignore[return-value]


@pytest.fixture
def restore() -> Iterator[None]:
    before = current()
    yield
    install(before)


def test_the_builtin_blocklist_is_installed_by_default() -> None:
    assert isinstance(current(), Blocklist)
    assert check("b0mb", "theory").matched == "bomb"
    assert not check("bombastic", "theory").blocked


def test_installed_swaps_the_checker_and_puts_it_back() -> None:
    before = current()
    flags = Flags()
    with installed(flags):
        assert current() is flags
        assert check("Heresy!", "nickname").stage == "classifier"
        assert not check("kill", "nickname").blocked  # the plug replaced the list
    assert current() is before
    assert flags.seen == [("Heresy!", "nickname"), ("kill", "nickname")]


def test_a_chain_asks_in_turn_and_the_first_block_wins() -> None:
    flags = Flags()
    chain = Chain(Blocklist(), flags)
    assert chain.check("kill the heresy", "theory").stage == "blocklist"
    assert flags.seen == []  # the list decided first
    assert chain.check("pure heresy", "theory").stage == "classifier"
    assert chain.check("pure scholarship", "theory") == PASS
    assert [t for t, _ in flags.seen] == ["pure heresy", "pure scholarship"]


def test_install_refuses_an_object_without_check(restore: None) -> None:
    del restore
    with pytest.raises(ModerationSetupError, match="needs a check"):
        install(object())  # type: ignore[arg-type]


def test_a_failing_checker_leaves_the_blocklist_to_decide(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with installed(Broken()):
        assert check("b0mb", "theory").matched == "bomb"
        assert check("heresy", "theory") == PASS
    assert "classifier down" in caplog.text
    with installed(Liar()):
        assert check("k1ll", "theory").matched == "kill"
    assert "not a Verdict" in caplog.text


def test_check_refuses_an_unknown_surface() -> None:
    with pytest.raises(ValueError, match="Unknown moderation surface 'email'"):
        check("hello", "email")


def test_check_output_checks_model_output() -> None:
    flags = Flags()
    with installed(Chain(Blocklist(), flags)):
        assert check_output("The b0mb went off").matched == "bomb"
        assert check_output("A quiet week at the Academy") == PASS
    assert flags.seen == [("A quiet week at the Academy", "llm_output")]


# --- plugging a checker by name -------------------------------------------------------------


@pytest.fixture
def plugin() -> Iterator[str]:
    """A module ``gw_test_plugin`` with factories, importable by name."""
    module = types.ModuleType("gw_test_plugin")
    module.make = Flags  # type: ignore[attr-defined]
    module.nothing = lambda: 42  # type: ignore[attr-defined]
    module.constant = 7  # type: ignore[attr-defined]

    def failing() -> Moderator:
        raise OSError("no model file")

    module.failing = failing  # type: ignore[attr-defined]
    sys.modules["gw_test_plugin"] = module
    yield "gw_test_plugin"
    del sys.modules["gw_test_plugin"]


def test_load_moderator_calls_the_named_factory(plugin: str) -> None:
    loaded = load_moderator(f" {plugin}:make ")
    assert isinstance(loaded, Flags)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("gw_test_plugin", "must be named as 'package.module:callable'"),
        (":make", "must be named as"),
        ("gw_test_plugin:", "must be named as"),
        ("gw_no_such_module:make", "module 'gw_no_such_module' cannot be imported"),
        ("gw_test_plugin:absent", "has no callable 'absent'"),
        ("gw_test_plugin:constant", "has no callable 'constant'"),
        ("gw_test_plugin:failing", "failed to start: OSError: no model file"),
        ("gw_test_plugin:nothing", "returned int, which has no check"),
    ],
)
def test_load_moderator_names_what_is_wrong(plugin: str, spec: str, problem: str) -> None:
    del plugin
    with pytest.raises(ModerationSetupError, match=problem):
        load_moderator(spec)


def test_configure_puts_the_plug_after_the_blocklist(plugin: str, restore: None) -> None:
    del restore
    chain = configure(f"{plugin}:make")
    assert current() is chain
    assert isinstance(chain, Chain)
    first, second = chain.moderators
    assert first is moderation._HOOK.builtin
    assert isinstance(second, Flags)
    assert check("kill", "theory").stage == "blocklist"
    assert check("heresy", "theory").stage == "classifier"
    assert configure(None) is moderation._HOOK.builtin
    assert configure("  ") is moderation._HOOK.builtin


def test_configure_changes_nothing_when_the_plug_fails(plugin: str, restore: None) -> None:
    del restore
    before = current()
    with pytest.raises(ModerationSetupError):
        configure(f"{plugin}:failing")
    assert current() is before
