"""Moderation: a whole-word blocklist after Unicode normalisation, behind a pluggable hook.

Every text a player writes (theories, objectives, table talk, nicknames, symposium proposals,
programme names) passes :func:`check` before anything is recorded, and so does model output
(:func:`check_output`, D14). A checker is any object with ``check(text, surface) -> Verdict``
(the :class:`Moderator` protocol). The built-in one, :class:`Blocklist`, reads the text the way
a person would and looks for whole words of a short list:

- :func:`normalise` applies NFKC (full-width and styled letters become plain ones), drops
  invisible format characters (zero-width spaces and joiners, soft hyphens), case-folds,
  strips accents, and maps look-alike letters from other scripts (Cyrillic ka, Greek omicron,
  ``ł``, ``ø``...) to the Latin letter they imitate.
- Digits and symbols that stand for letters (``0`` o, ``1`` i or l, ``3`` e, ``4`` a, ``5``
  s, ``$`` s, ``@`` a, ``!`` i, ``|`` i or l...) match those letters when a word is compared
  with a listed form (:data:`LOOKALIKES`), and a letter may be repeated (``kiiill``).
- Words are whole: a listed form must match a whole word, never part of one, so ``skill``,
  ``therapeutic``, ``bombastic`` and ``Scunthorpe``-style words pass.
- Separators inside a word are collapsed: within a run of non-space characters, the pieces
  between punctuation (``k.i.l.l``, ``k-i-l-l``, ``k_i_l_l``) are read joined as well as one by
  one, so ``kill-switch`` is caught through ``kill`` and ``k.i.l.l`` through the join. Across
  spaces only single characters are joined (``k i l l``): two words of two letters or more are
  never joined, so ``k ill`` is two words and passes, while in ``s kill`` the word ``kill``
  stands alone and is blocked (it is not read as ``skill``).

The list (:data:`BLOCKLIST`) holds the seven words of GAME_RULES.md section 4.4, each with the
forms it blocks. This is a history game, so the forms are chosen to refuse threats and insults,
not narrative: the present forms of ``kill``, ``murder`` and ``bomb`` are blocked ("kill him",
"a bomb"), their past forms are not ("the king was murdered", "the city was bombed"); every
form of ``rape`` is blocked. An admin can let one exact text through with an override
(``/gw_admin add_moderation_override``); the command layer consults it after a block.

Plugging another checker: :func:`install` replaces the process-wide checker (tests use
:func:`installed`); :func:`configure` takes a ``"module:callable"`` name, calls the callable
with no arguments and installs the blocklist followed by what it returned (a :class:`Chain`).
A checker that raises is logged and the built-in blocklist decides alone.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

from greatwork.rules.errors import GreatworkError
from greatwork.rules.moderation import CATEGORIES, STAGES, SURFACES

__all__ = [
    "BLOCKLIST",
    "LOOKALIKES",
    "PASS",
    "Blocklist",
    "Chain",
    "Entry",
    "ModerationSetupError",
    "Moderator",
    "Verdict",
    "check",
    "check_output",
    "configure",
    "current",
    "install",
    "installed",
    "load_moderator",
    "normalise",
]

log = logging.getLogger(__name__)

STAGE_BLOCKLIST: Final = "blocklist"
STAGE_CLASSIFIER: Final = "classifier"
OUTPUT_SURFACE: Final = "llm_output"
MAX_WORD: Final = 64  # longer runs of characters are not words; they are not compared
MAX_JOINED: Final = 32  # at most this many single characters or pieces are joined into one word


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """What a checker decided about one text.

    Attributes:
        blocked: the text must not pass (unless an admin's override covers it).
        stage: which check decided: ``blocklist`` or ``classifier`` (empty when it passed).
        category: what it was flagged for (one of ``rules.moderation.CATEGORIES``), if known.
        matched: the listed word it matched (the headword: ``kill``), if a word list decided.
        found: the word as it was read in the normalised text (``k.i.l.l``), if known.
    """

    blocked: bool
    stage: str = ""
    category: str | None = None
    matched: str | None = None
    found: str | None = None

    def __post_init__(self) -> None:
        if self.blocked and self.stage not in STAGES:
            raise ValueError(
                f"A blocking verdict needs a stage, one of {', '.join(STAGES)}; got {self.stage!r}."
            )
        if self.stage and self.stage not in STAGES:
            raise ValueError(f"Unknown stage {self.stage!r}: use one of {', '.join(STAGES)}.")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(
                f"Unknown category {self.category!r}: use one of {', '.join(CATEGORIES)}."
            )


PASS: Final = Verdict(blocked=False)
"""The verdict for a text nothing objects to."""


@runtime_checkable
class Moderator(Protocol):
    """A checker: decides whether a text may go to a surface. It must not raise for any text."""

    def check(self, text: str, surface: str) -> Verdict:
        """Check ``text`` bound for ``surface`` (one of ``rules.moderation.SURFACES``)."""
        ...


class ModerationSetupError(GreatworkError, ValueError):
    """A plugged checker cannot be loaded; the message names the setting's value and why."""


# --- normalisation --------------------------------------------------------------------------

_CAPITALS: Final[Mapping[str, str]] = {
    # capitals first: they look like other letters than their small forms (Greek Eta, Nu)
    "\N{CYRILLIC CAPITAL LETTER A}": "a",
    "\N{CYRILLIC CAPITAL LETTER VE}": "b",
    "\N{CYRILLIC CAPITAL LETTER IE}": "e",
    "\N{CYRILLIC CAPITAL LETTER KA}": "k",
    "\N{CYRILLIC CAPITAL LETTER EM}": "m",
    "\N{CYRILLIC CAPITAL LETTER EN}": "h",
    "\N{CYRILLIC CAPITAL LETTER O}": "o",
    "\N{CYRILLIC CAPITAL LETTER ER}": "p",
    "\N{CYRILLIC CAPITAL LETTER ES}": "c",
    "\N{CYRILLIC CAPITAL LETTER TE}": "t",
    "\N{CYRILLIC CAPITAL LETTER U}": "y",
    "\N{CYRILLIC CAPITAL LETTER HA}": "x",
    "\N{CYRILLIC CAPITAL LETTER DZE}": "s",
    "\N{CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I}": "i",
    "\N{CYRILLIC CAPITAL LETTER JE}": "j",
    "\N{CYRILLIC CAPITAL LETTER QA}": "q",
    "\N{CYRILLIC CAPITAL LETTER WE}": "w",
    "\N{CYRILLIC LETTER PALOCHKA}": "l",
    "\N{GREEK CAPITAL LETTER ALPHA}": "a",
    "\N{GREEK CAPITAL LETTER BETA}": "b",
    "\N{GREEK CAPITAL LETTER EPSILON}": "e",
    "\N{GREEK CAPITAL LETTER ZETA}": "z",
    "\N{GREEK CAPITAL LETTER ETA}": "h",
    "\N{GREEK CAPITAL LETTER IOTA}": "i",
    "\N{GREEK CAPITAL LETTER KAPPA}": "k",
    "\N{GREEK CAPITAL LETTER MU}": "m",
    "\N{GREEK CAPITAL LETTER NU}": "n",
    "\N{GREEK CAPITAL LETTER OMICRON}": "o",
    "\N{GREEK CAPITAL LETTER RHO}": "p",
    "\N{GREEK CAPITAL LETTER TAU}": "t",
    "\N{GREEK CAPITAL LETTER UPSILON}": "y",
    "\N{GREEK CAPITAL LETTER CHI}": "x",
}
_LETTERS: Final[Mapping[str, str]] = {
    # small Cyrillic letters that look like Latin ones
    "\N{CYRILLIC SMALL LETTER A}": "a",
    "\N{CYRILLIC SMALL LETTER VE}": "b",
    "\N{CYRILLIC SMALL LETTER IE}": "e",
    "\N{CYRILLIC SMALL LETTER KA}": "k",
    "\N{CYRILLIC SMALL LETTER EM}": "m",
    "\N{CYRILLIC SMALL LETTER EN}": "h",
    "\N{CYRILLIC SMALL LETTER O}": "o",
    "\N{CYRILLIC SMALL LETTER ER}": "p",
    "\N{CYRILLIC SMALL LETTER ES}": "c",
    "\N{CYRILLIC SMALL LETTER TE}": "t",
    "\N{CYRILLIC SMALL LETTER U}": "y",
    "\N{CYRILLIC SMALL LETTER HA}": "x",
    "\N{CYRILLIC SMALL LETTER DZE}": "s",
    "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}": "i",
    "\N{CYRILLIC SMALL LETTER JE}": "j",
    "\N{CYRILLIC SMALL LETTER KOMI DE}": "d",
    "\N{CYRILLIC SMALL LETTER SHHA}": "h",
    "\N{CYRILLIC SMALL LETTER PALOCHKA}": "l",
    "\N{CYRILLIC SMALL LETTER QA}": "q",
    "\N{CYRILLIC SMALL LETTER WE}": "w",
    "\N{CYRILLIC SMALL LETTER SOFT SIGN}": "b",
    # Greek
    "\N{GREEK SMALL LETTER ALPHA}": "a",
    "\N{GREEK SMALL LETTER BETA}": "b",
    "\N{GREEK SMALL LETTER GAMMA}": "y",
    "\N{GREEK SMALL LETTER EPSILON}": "e",
    "\N{GREEK SMALL LETTER ETA}": "n",
    "\N{GREEK SMALL LETTER IOTA}": "i",
    "\N{GREEK SMALL LETTER KAPPA}": "k",
    "\N{GREEK SMALL LETTER NU}": "v",
    "\N{GREEK SMALL LETTER OMICRON}": "o",
    "\N{GREEK SMALL LETTER RHO}": "p",
    "\N{GREEK SMALL LETTER TAU}": "t",
    "\N{GREEK SMALL LETTER UPSILON}": "u",
    "\N{GREEK SMALL LETTER CHI}": "x",
    "\N{GREEK SMALL LETTER OMEGA}": "w",
    # Latin letters that do not decompose into a base letter and an accent
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "\N{LATIN SMALL LETTER L WITH STROKE}": "l",
    "\N{LATIN SMALL LETTER O WITH STROKE}": "o",
    "\N{LATIN SMALL LETTER D WITH STROKE}": "d",
    "\N{LATIN SMALL LETTER H WITH STROKE}": "h",
    "\N{LATIN SMALL LETTER T WITH STROKE}": "t",
    "\N{LATIN SMALL LETTER B WITH STROKE}": "b",
    "\N{LATIN SMALL LETTER I WITH STROKE}": "i",
    "\N{LATIN SMALL LETTER SCRIPT G}": "g",
    "\N{LATIN SMALL LETTER AE}": "ae",
    "\N{LATIN SMALL LIGATURE OE}": "oe",
}
_UPPER: Final = str.maketrans(dict(_CAPITALS))
_FOLD: Final = str.maketrans(dict(_LETTERS))

LOOKALIKES: Final[Mapping[str, str]] = {
    "0": "o",
    "1": "il",
    "2": "z",
    "3": "e",
    "4": "a",
    "5": "s",
    "6": "g",
    "7": "t",
    "8": "b",
    "9": "g",
    "$": "s",
    "@": "a",
    "!": "i",
    "|": "il",
    "+": "t",
    "€": "e",
}
"""Digits and symbols, and the letters each may stand for inside a word."""

_SYMBOLS: Final = frozenset(c for c in LOOKALIKES if not c.isalnum())


def normalise(text: str) -> str:
    """Fold ``text`` to what a reader sees: plain lower-case letters, no accents, no invisibles.

    NFKC, then invisible format characters (zero-width space, joiners, soft hyphen, direction
    marks) are dropped; then capitals that imitate Latin letters are mapped (Greek Eta looks
    like H, its small form like n), then case folding, accent stripping and the look-alike
    table for small letters.
    Digits and symbols are kept as they are (:data:`LOOKALIKES` is applied when words are
    compared, since ``1`` may be an ``i`` or an ``l``).
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.translate(_UPPER).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text.translate(_FOLD))


_LEADING: Final = "".join(sorted(_SYMBOLS))


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in _SYMBOLS


@dataclass(frozen=True, slots=True)
class _Run:
    """Parts that may be read joined: the pieces of one chunk, or spaced single characters.

    Attributes:
        parts: the parts, word characters only.
        shown: how each part reads in the normalised text (for a chunk: the whole chunk).
        glue: what joins the shown parts of a word (nothing within a chunk, a space between).
    """

    parts: tuple[str, ...]
    shown: tuple[str, ...]
    glue: str

    def show(self, start: int, stop: int) -> str:
        """How the parts ``start`` to ``stop`` read in the text."""
        if not self.glue:
            return self.shown[0]
        return self.glue.join(self.shown[start:stop])


def _pieces(chunk: str) -> list[str]:
    """The runs of word characters in one run of non-space characters."""
    pieces: list[str] = []
    current: list[str] = []
    for char in chunk:
        if _is_word_char(char):
            current.append(char)
        elif current:
            pieces.append("".join(current))
            current = []
    if current:
        pieces.append("".join(current))
    return pieces


def _runs(normalised: str) -> Iterator[_Run]:
    """Every run of parts the text holds (see the module's docstring).

    A chunk (a run of non-space characters) is split at punctuation into pieces, which may be
    read joined. Chunks of a single character in a row (``k i l l``) make another run, which
    may be read joined too. A chunk without any word character (a dash between spaced letters)
    neither breaks nor joins a row of single characters.
    """
    singles: list[tuple[str, str]] = []
    for chunk in normalised.split():
        pieces = _pieces(chunk)
        if not pieces:
            continue
        if len(pieces) == 1 and len(pieces[0]) == 1:
            singles.append((pieces[0], chunk))
            continue
        if singles:
            yield _Run(tuple(p for p, _ in singles), tuple(c for _, c in singles), " ")
            singles = []
        yield _Run(tuple(pieces), (chunk,), "")
    if singles:
        yield _Run(tuple(p for p, _ in singles), tuple(c for _, c in singles), " ")


# --- the word list ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed word: its headword, its category and every form that is blocked.

    Attributes:
        word: the headword, shown to the player and in the log (``kill``).
        category: one of ``rules.moderation.CATEGORIES``.
        forms: the blocked forms, lower case letters only (the headword among them).
    """

    word: str
    category: str
    forms: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(
                f"Blocklist entry {self.word!r}: unknown category {self.category!r}; "
                f"use one of {', '.join(CATEGORIES)}."
            )
        for form in (self.word, *self.forms):
            if not form or not form.isalpha() or normalise(form) != form:
                raise ValueError(
                    f"Blocklist entry {self.word!r}: the form {form!r} must be plain lower-case "
                    "letters (it is compared after normalisation)."
                )
        if self.word not in self.forms:
            raise ValueError(f"Blocklist entry {self.word!r}: list the headword among its forms.")


BLOCKLIST: Final = (
    Entry("kill", "violence", ("kill", "kills")),
    Entry("murder", "violence", ("murder", "murders")),
    Entry("bomb", "violence", ("bomb", "bombs")),
    Entry("terrorist", "violence", ("terrorist", "terrorists")),
    Entry("suicide", "self_harm", ("suicide", "suicides", "suicidal")),
    Entry("rape", "sexual", ("rape", "rapes", "raped", "raping", "rapist", "rapists")),
    Entry("racist", "hate", ("racist", "racists")),
)
"""The built-in list (GAME_RULES.md section 4.4): short on purpose, and overridable."""


class _Form:
    """One blocked form as a sequence of letter classes, each of which may repeat.

    It is read by a small automaton: a state is how many letters of the form are matched so
    far; a character either matches the next letter or repeats the last one matched.
    """

    __slots__ = ("entry", "last", "steps")

    def __init__(self, form: str, entry: Entry) -> None:
        self.entry = entry
        self.steps = tuple(
            frozenset({letter, *(s for s, ls in LOOKALIKES.items() if letter in ls)})
            for letter in form
        )
        self.last = len(self.steps)

    def step(self, states: frozenset[int], char: str) -> frozenset[int]:
        """The states after reading one more character."""
        following = set()
        for state in states:
            if state < self.last and char in self.steps[state]:
                following.add(state + 1)
            if state > 0 and char in self.steps[state - 1]:
                following.add(state)
        return frozenset(following)


_START: Final = frozenset({0})
_NONE: Final = frozenset[int]()


@dataclass(slots=True)
class _Reading:
    """One form being read along a run: its states, and its states at the last letter.

    ``at_letter`` lets symbols at the end of a word be ignored (``kill!``): they are read as
    letters while they fit (``k!ll``), and dropped when the word ends with them.
    """

    form: _Form
    states: frozenset[int] = _START
    at_letter: frozenset[int] = _NONE

    def read(self, part: str) -> None:
        for char in part:
            self.states = self.form.step(self.states, char) if self.states else _NONE
            if char.isalnum():
                self.at_letter = self.states

    @property
    def complete(self) -> bool:
        return self.form.last in self.states or self.form.last in self.at_letter


class Blocklist:
    """The built-in checker: whole words of a short list, after normalisation (stage blocklist).

    Args:
        entries: the list; :data:`BLOCKLIST` by default.
    """

    def __init__(self, entries: Iterable[Entry] = BLOCKLIST) -> None:
        self.entries = tuple(entries)
        forms = tuple(_Form(form, entry) for entry in self.entries for form in entry.forms)
        starts: dict[str, list[_Form]] = {}
        for form in forms:
            for char in form.steps[0]:
                starts.setdefault(char, []).append(form)
        self._starts = {char: tuple(found) for char, found in starts.items()}

    def find(self, text: str) -> Verdict:
        """The first listed word the text contains, as a verdict (``PASS`` if none)."""
        for run in _runs(normalise(text)):
            for start in range(len(run.parts)):
                found = self._read_from(run, start)
                if found is not None:
                    form, stop = found
                    return Verdict(
                        blocked=True,
                        stage=STAGE_BLOCKLIST,
                        category=form.entry.category,
                        matched=form.entry.word,
                        found=run.show(start, stop),
                    )
        return PASS

    def _read_from(self, run: _Run, start: int) -> tuple[_Form, int] | None:
        """A form spelled by the parts ``start`` to some ``stop``, if any, and that stop.

        Each form is read along the joined parts until it cannot match any more, so a run is
        read in linear time whatever its length; a word longer than ``MAX_WORD`` characters
        or ``MAX_JOINED`` parts is not compared.
        """
        first = run.parts[start]
        for head in dict.fromkeys((first, first.lstrip(_LEADING))):
            if not head:
                continue
            readings = [_Reading(form) for form in self._starts.get(head[0], ())]
            length = 0
            for stop in range(start, min(len(run.parts), start + MAX_JOINED)):
                part = head if stop == start else run.parts[stop]
                length += len(part)
                if length > MAX_WORD:
                    break
                for reading in readings:
                    reading.read(part)
                    if reading.complete:
                        return reading.form, stop + 1
                readings = [r for r in readings if r.states]
                if not readings:
                    break
        return None

    def check(self, text: str, surface: str) -> Verdict:
        """Check a text; the surface makes no difference to the list."""
        del surface
        return self.find(text)


class Chain:
    """Several checkers in turn: the first blocking verdict wins.

    Args:
        moderators: the checkers, in the order they are asked.
    """

    def __init__(self, *moderators: Moderator) -> None:
        self.moderators = moderators

    def check(self, text: str, surface: str) -> Verdict:
        """Ask each checker until one blocks."""
        for moderator in self.moderators:
            verdict = moderator.check(text, surface)
            if verdict.blocked:
                return verdict
        return PASS


# --- the hook -------------------------------------------------------------------------------


class _Hook:
    """The process-wide checker (one server process plays every campaign with the same one)."""

    __slots__ = ("builtin", "moderator")

    def __init__(self) -> None:
        self.builtin = Blocklist()
        self.moderator: Moderator = self.builtin


_HOOK: Final = _Hook()


def current() -> Moderator:
    """The checker :func:`check` uses now."""
    return _HOOK.moderator


def install(moderator: Moderator) -> Moderator:
    """Make ``moderator`` the process-wide checker; return the one it replaces.

    Raises:
        ModerationSetupError: the object has no ``check`` method.
    """
    if not isinstance(moderator, Moderator):
        raise ModerationSetupError(
            f"A moderator needs a check(text, surface) method; got {type(moderator).__name__}."
        )
    previous, _HOOK.moderator = _HOOK.moderator, moderator
    log.info("Moderation: checking texts with %s", type(moderator).__name__)
    return previous


@contextlib.contextmanager
def installed(moderator: Moderator) -> Iterator[Moderator]:
    """Use ``moderator`` inside the ``with`` block, then put the previous one back."""
    previous = install(moderator)
    try:
        yield moderator
    finally:
        install(previous)


def load_moderator(spec: str) -> Moderator:
    """Load a plugged checker named ``"package.module:callable"``.

    The callable is called with no arguments and must return a :class:`Moderator`.

    Raises:
        ModerationSetupError: the name is malformed, the module or the callable cannot be
            found, the call fails, or what it returns has no ``check`` method.
    """
    module_name, colon, attribute = spec.strip().partition(":")
    if not colon or not module_name or not attribute:
        raise ModerationSetupError(
            f"The moderation checker must be named as 'package.module:callable'; got {spec!r}."
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ModerationSetupError(
            f"The moderation checker {spec!r}: module {module_name!r} cannot be imported: {error}."
        ) from error
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise ModerationSetupError(
            f"The moderation checker {spec!r}: {module_name} has no callable {attribute!r}."
        )
    try:
        moderator = factory()
    except Exception as error:
        raise ModerationSetupError(
            f"The moderation checker {spec!r} failed to start: {type(error).__name__}: {error}."
        ) from error
    if not isinstance(moderator, Moderator):
        raise ModerationSetupError(
            f"The moderation checker {spec!r} returned {type(moderator).__name__}, "
            "which has no check(text, surface) method."
        )
    return moderator


def configure(spec: str | None) -> Moderator:
    """Install the checker a setting names: the blocklist alone, or the blocklist then a plug.

    Args:
        spec: ``None`` or blank for the built-in blocklist alone; else ``"module:callable"``
            (see :func:`load_moderator`), asked after the blocklist.

    Returns:
        The checker now installed.

    Raises:
        ModerationSetupError: the plug cannot be loaded (nothing is changed).
    """
    if spec is None or not spec.strip():
        moderator: Moderator = _HOOK.builtin
    else:
        moderator = Chain(_HOOK.builtin, load_moderator(spec))
    install(moderator)
    return moderator


def check(text: str, surface: str) -> Verdict:
    """Check a text with the installed checker.

    A checker that raises, or answers something other than a :class:`Verdict`, is logged and
    the built-in blocklist decides alone, so a broken plug never stops the game.

    Raises:
        ValueError: ``surface`` is not one of ``rules.moderation.SURFACES`` (a bug).
    """
    if surface not in SURFACES:
        raise ValueError(f"Unknown moderation surface {surface!r}: use one of {SURFACES}.")
    moderator = _HOOK.moderator
    try:
        verdict: object = moderator.check(text, surface)
    except Exception:
        log.exception("Moderation checker %s failed; the blocklist decides", moderator)
        return _HOOK.builtin.check(text, surface)
    if not isinstance(verdict, Verdict):
        log.error(
            "Moderation checker %s answered %s, not a Verdict; the blocklist decides",
            moderator,
            type(verdict).__name__,
        )
        return _HOOK.builtin.check(text, surface)
    return verdict


def check_output(text: str) -> Verdict:
    """Check model output (surface ``llm_output``); a blocked rewrite is discarded (D14)."""
    return check(text, OUTPUT_SURFACE)
