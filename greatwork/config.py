"""One validated settings object, built from defaults, a TOML file, the environment and flags."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from greatwork.rules.errors import GreatworkError

logger = logging.getLogger(__name__)

ENV_PREFIX = "GREATWORK_"
CONFIG_VARIABLE = "GREATWORK_CONFIG"
# Variables of ours that are not settings: the config file's path, the terminal's history file.
OTHER_VARIABLES = frozenset({CONFIG_VARIABLE, "GREATWORK_HISTORY"})
DEFAULT_CONFIG_FILE = "greatwork.toml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
JOURNAL_SYNCS = ("full", "normal")
LLM_MODES = ("auto", "off", "openai", "mock")
TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
MAX_DIGEST_TIMES = 6


class ConfigError(GreatworkError):
    """A setting is missing, malformed or out of range; the server does not start.

    Attributes:
        message: the whole explanation, fit for an operator.
        source: where the value came from (``greatwork.toml, key timezone``,
            ``GREATWORK_TIMEZONE``), empty when no single source is to blame.
        key: the setting's name (``timezone``), or None.
    """

    def __init__(self, message: str, *, source: str = "", key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.key = key


class _Bad(Exception):  # noqa: N818 (internal signal, turned into a ConfigError at once)
    """A value failed a check; the text says why, without repeating a secret."""


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one setting is read: from a typed value (TOML, flags, code) or from text (env)."""

    allowed: str
    from_value: Callable[[object], object]
    from_text: Callable[[str], object]
    secret: bool = False


def _what(value: object) -> str:
    names = {dict: "a table", list: "a list", tuple: "a list", str: "a string", bool: "true/false"}
    return names.get(type(value), type(value).__name__)


def _whole(low: int, high: int) -> _Kind:
    def from_value(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(f"expected a whole number, got {_what(value)}")
        if not low <= value <= high:
            raise _Bad("out of range")
        return value

    def from_text(text: str) -> object:
        try:
            return from_value(int(text.strip()))
        except ValueError:
            raise _Bad("not a whole number") from None

    return _Kind(f"a whole number from {low} to {high}", from_value, from_text)


def _seconds(low: float, high: float) -> _Kind:
    def from_value(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Bad(f"expected a number of seconds, got {_what(value)}")
        if not (math.isfinite(value) and low <= value <= high):
            raise _Bad("out of range")
        return float(value)

    def from_text(text: str) -> object:
        try:
            return from_value(float(text.strip()))
        except ValueError:
            raise _Bad("not a number") from None

    return _Kind(f"a number of seconds from {low:g} to {high:g}", from_value, from_text)


def _flag() -> _Kind:
    def from_value(value: object) -> object:
        if not isinstance(value, bool):
            raise _Bad(f"expected true or false, got {_what(value)}")
        return value

    def from_text(text: str) -> object:
        word = text.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _Bad(f"{text.strip()!r} is neither true nor false")

    allowed = f"true or false (in a variable: {'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)})"
    return _Kind(allowed, from_value, from_text)


def _textual(allowed: str, parse: Callable[[str], object], *, secret: bool = False) -> _Kind:
    """A setting whose natural form is text; a typed value must be a string too."""

    def from_value(value: object) -> object:
        if not isinstance(value, str):
            raise _Bad(f"expected a string, got {_what(value)}")
        return parse(value)

    return _Kind(allowed, from_value, parse, secret)


def _optional(kind: _Kind) -> _Kind:
    """None (or empty text, to clear a value set earlier) means "not set"."""

    def from_value(value: object) -> object:
        return None if value is None else kind.from_value(value)

    def from_text(text: str) -> object:
        return None if not text.strip() else kind.from_text(text)

    return _Kind(f"{kind.allowed}, or empty for none", from_value, from_text, kind.secret)


_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)


def _check_time(value: time) -> time:
    if value.tzinfo is not None:
        raise _Bad("give a local time without an offset; the zone is the timezone setting")
    if value.microsecond:
        raise _Bad("times are whole seconds")
    return value


def _parse_time(text: str) -> time:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise _Bad(f"{text.strip()!r} is not a time like 13:00")
    hour, minute, second = (int(part or 0) for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise _Bad(f"{text.strip()} is not a time of day (00:00 to 23:59)")
    return time(hour, minute, second)


def _time_value(value: object) -> time:
    if isinstance(value, str):
        return _parse_time(value)
    if isinstance(value, time):
        return _check_time(value)
    raise _Bad(f"expected a time like 13:00, got {_what(value)}")


def _digest_times(items: list[object]) -> tuple[time, ...]:
    times = [_time_value(item) for item in items]
    if not 1 <= len(times) <= MAX_DIGEST_TIMES:
        raise _Bad(f"{len(times)} times given")
    seen: set[time] = set()
    for each in times:
        if each in seen:
            raise _Bad(f"{format_time(each)} appears twice")
        seen.add(each)
    return tuple(sorted(times))


def _digest_times_value(value: object) -> object:
    if not isinstance(value, list | tuple):
        raise _Bad(f"expected a list of times, got {_what(value)}")
    return _digest_times(list(value))


def _weekday_text(text: str) -> int:
    word = text.strip().lower()
    if word.isdigit() and int(word) < len(WEEKDAYS):
        return int(word)
    for number, name in enumerate(WEEKDAYS):
        if word in {name, name[:3]}:
            return number
    raise _Bad(f"{text.strip()!r} is not a weekday")


def _weekday_value(value: object) -> object:
    if isinstance(value, str):
        return _weekday_text(value)
    return _whole(0, 6).from_value(value)


def _timezone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        names = available_timezones()
        exact = [n for n in names if n.lower() == text.strip().lower()]
        guess = exact or difflib.get_close_matches(text, sorted(names), n=1)
        hint = f"; did you mean {guess[0]}?" if guess else ""
        raise _Bad(f"unknown time zone{hint}") from None
    return text


def _path(text: str) -> Path:
    if not text.strip():
        raise _Bad("empty path")
    return Path(text).expanduser()


def _path_value(value: object) -> object:
    if isinstance(value, Path):
        return value
    if isinstance(value, str):
        return _path(value)
    raise _Bad(f"expected a path, got {_what(value)}")


def _url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _Bad("not an http:// or https:// address")
    if parts.password is not None:
        raise _Bad("the address holds a password; put secrets in their own setting")
    return text.strip().rstrip("/")


def _name(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.strip() or len(text.strip()) > limit:
            raise _Bad(f"must be 1 to {limit} characters")
        return text.strip()

    return parse


def _token(text: str) -> str:
    if not text.strip() or any(c.isspace() for c in text.strip()):
        raise _Bad("must be non-empty, without spaces (no 'Bot ' prefix)")
    return text.strip()


def _password(text: str) -> str:
    if len(text) < 8:
        raise _Bad("too short")
    return text


def _level(text: str) -> str:
    if text.strip().upper() not in LOG_LEVELS:
        raise _Bad("unknown level")
    return text.strip().upper()


def _sync(text: str) -> str:
    if text.strip().lower() not in JOURNAL_SYNCS:
        raise _Bad("unknown mode")
    return text.strip().lower()


def _llm_mode(text: str) -> str:
    if text.strip().lower() not in LLM_MODES:
        raise _Bad("unknown mode")
    return text.strip().lower()


_PLUG = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*")


def _plug(text: str) -> str:
    if not _PLUG.fullmatch(text.strip()):
        raise _Bad("not of the form package.module:callable")
    return text.strip()


def _host(text: str) -> str:
    if not text.strip() or any(c.isspace() for c in text.strip()) or len(text) > 253:
        raise _Bad("not a host name or address")
    return text.strip()


_PORT = _whole(0, 65535)
_HOST = _textual("a host name or IP address", _host)
_KINDS: dict[str, _Kind] = {
    "db_path": _Kind("a file path", _path_value, _path),
    "timezone": _textual("an IANA time zone name like Europe/Paris or UTC", _timezone),
    "digest_times": _Kind(
        f"1 to {MAX_DIGEST_TIMES} distinct local times like 13:00 (comma-separated in a variable)",
        _digest_times_value,
        lambda text: _digest_times(list(text.split(","))),
    ),
    "symposium_day": _Kind(
        "a weekday: monday to sunday, mon to sun, or 0 to 6", _weekday_value, _weekday_text
    ),
    "symposium_time": _Kind("a local time like 12:00", _time_value, _parse_time),
    "catch_up_cap": _whole(0, 1000),
    "snapshot_every": _whole(10, 1_000_000),
    "journal_sync": _textual(f"one of {', '.join(JOURNAL_SYNCS)}", _sync),
    "restart_budget": _whole(0, 100),
    "restart_window": _seconds(1, 86_400),
    "ask_timeout": _seconds(0.1, 600),
    "log_level": _textual(f"one of {', '.join(LOG_LEVELS)}", _level),
    "discord_token": _optional(_textual("a bot token", _token, secret=True)),
    "discord_api": _textual("an http(s) address", _url),
    "admin_role": _optional(_textual("a role name or id of 1 to 100 characters", _name(100))),
    "llm_url": _optional(_textual("an http(s) address", _url)),
    "llm_model": _optional(_textual("a model name of 1 to 200 characters", _name(200))),
    "llm_api_key": _optional(_textual("an API key", _token, secret=True)),
    "llm_mode": _textual(f"one of {', '.join(LLM_MODES)}", _llm_mode),
    "llm_timeout": _seconds(1, 600),
    "llm_attempts": _whole(1, 10),
    "llm_retry_budget": _seconds(1, 3600),
    "llm_max_tokens": _whole(16, 32_768),
    "llm_auto_resume": _flag(),
    "moderation_checker": _optional(
        _textual("a checker named like package.module:callable", _plug)
    ),
    "metrics_enabled": _flag(),
    "metrics_host": _HOST,
    "metrics_port": _PORT,
    "web_host": _HOST,
    "web_port": _PORT,
    "admin_password": _optional(
        _textual("a password of 8 or more characters", _password, secret=True)
    ),
}


_CREDENTIALS = re.compile(r"//[^/@\s]*@")


def _show(value: object) -> str:
    if isinstance(value, time):
        return format_time(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    text = repr(_CREDENTIALS.sub("//<hidden>@", value)) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _read(key: str, raw: object, source: str, *, text: bool) -> object:
    """Convert one raw value, or raise a ConfigError that names the source and the limits."""
    kind = _KINDS[key]
    try:
        return kind.from_text(raw) if text and isinstance(raw, str) else kind.from_value(raw)
    except _Bad as bad:
        shown = "the value (a secret, not shown)" if kind.secret else _show(raw)
        message = f"{source}: {shown} is not allowed ({bad}); expected {kind.allowed}"
        raise ConfigError(message, source=source, key=key) from None


def format_time(value: time) -> str:
    """Format a local time as ``HH:MM``, or ``HH:MM:SS`` when it has seconds."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of a greatwork process, checked; secrets stay out of repr and logs.

    Constructing one validates and normalises every field (digest times are sorted), so a
    ``Settings`` in hand is always usable. Build it with :func:`load_settings`.
    """

    db_path: Path = Path("greatwork.db")
    timezone: str = "UTC"
    digest_times: tuple[time, ...] = (time(13), time(21))
    symposium_day: int = 4
    symposium_time: time = time(12)
    catch_up_cap: int = 14
    snapshot_every: int = 1000
    journal_sync: str = "full"
    restart_budget: int = 3
    restart_window: float = 60.0
    ask_timeout: float = 10.0
    log_level: str = "INFO"
    discord_token: str | None = field(default=None, repr=False)
    discord_api: str = "https://discord.com/api/v10"
    admin_role: str | None = None
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_mode: str = "auto"
    llm_timeout: float = 30.0
    llm_attempts: int = 3
    llm_retry_budget: float = 60.0
    llm_max_tokens: int = 500
    llm_auto_resume: bool = True
    moderation_checker: str | None = None
    metrics_enabled: bool = True
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    admin_password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for each in dataclasses.fields(self):
            value = getattr(self, each.name)
            checked = _read(each.name, value, f"Settings({each.name}=...)", text=False)
            if checked != value or type(checked) is not type(value):
                object.__setattr__(self, each.name, checked)
        self._check_llm()

    def _check_llm(self) -> None:
        """Refuse LLM settings that contradict each other (each one alone is valid)."""
        if self.llm_mode == "openai":
            unset = [name for name in ("llm_url", "llm_model") if getattr(self, name) is None]
            if unset:
                names = " and ".join(unset)
                variables = " and ".join(f"{ENV_PREFIX}{name.upper()}" for name in unset)
                raise ConfigError(
                    f"llm_mode is 'openai' but {names} {'is' if len(unset) == 1 else 'are'} "
                    f"not set: set {variables} (or the file keys), or choose llm_mode "
                    "'auto', 'mock' or 'off'",
                    key="llm_mode",
                )
        if self.llm_retry_budget < self.llm_timeout:
            raise ConfigError(
                f"llm_retry_budget ({self.llm_retry_budget:g} s) is shorter than llm_timeout "
                f"({self.llm_timeout:g} s): one request could not even use its timeout; "
                "raise the budget or lower the timeout",
                key="llm_retry_budget",
            )

    @property
    def llm_backend(self) -> str:
        """The language model in use: ``off``, ``openai`` or ``mock``.

        ``llm_mode = "auto"`` (the default) means ``openai`` when both ``llm_url`` and
        ``llm_model`` are set, else ``off``.
        """
        if self.llm_mode != "auto":
            return self.llm_mode
        return "openai" if self.llm_url and self.llm_model else "off"

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of the digest and symposium times."""
        return ZoneInfo(self.timezone)

    def describe(self) -> dict[str, object]:
        """Return every setting as plain JSON values; a secret shows only whether it is set."""
        out: dict[str, object] = {}
        for each in dataclasses.fields(self):
            value = getattr(self, each.name)
            if _KINDS[each.name].secret:
                out[each.name] = None if value is None else "<set>"
            elif isinstance(value, Path):
                out[each.name] = str(value)
            elif isinstance(value, time):
                out[each.name] = format_time(value)
            elif each.name == "digest_times":
                out[each.name] = [format_time(t) for t in value]
            elif each.name == "symposium_day":
                out[each.name] = WEEKDAYS[value]
            else:
                out[each.name] = value
        return out


def _did_you_mean(word: str, choices: list[str]) -> str:
    starts = [choice for choice in choices if word and choice.startswith(word)]
    guess = starts[:1] or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {guess[0]}?" if guess else ""


def _find_file(config_file: Path | None, env: Mapping[str, str]) -> Path | None:
    explicit, source = config_file, "the config file"
    if explicit is None and env.get(CONFIG_VARIABLE, "").strip():
        explicit, source = Path(env[CONFIG_VARIABLE].strip()), CONFIG_VARIABLE
    if explicit is None:
        default = Path(DEFAULT_CONFIG_FILE)
        return default if default.is_file() else None
    if not explicit.is_file():
        raise ConfigError(f"{source}: {explicit} does not exist or is not a file", source=source)
    return explicit


def _read_file(path: Path) -> dict[str, object]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path}: cannot read the config file ({error})", source=str(path)
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})", source=str(path)) from None
    values: dict[str, object] = {}
    for key, raw in document.items():
        if key not in _KINDS:
            hint = _did_you_mean(key.lower().removeprefix("greatwork_"), list(_KINDS))
            known = ", ".join(_KINDS)
            raise ConfigError(
                f"{path}: unknown key {key!r}{hint} (known keys: {known})", source=str(path)
            )
        values[key] = _read(key, raw, f"{path}, key {key}", text=False)
    secrets = [key for key in values if _KINDS[key].secret and values[key] is not None]
    if secrets and os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning(
            "config file %s holds secrets (%s) and other users may read it; "
            "run chmod 600 on it, or pass secrets in environment variables",
            path,
            ", ".join(secrets),
        )
    return values


def _read_env(env: Mapping[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    names = [f"{ENV_PREFIX}{key.upper()}" for key in _KINDS]
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in OTHER_VARIABLES:
            continue
        key = name.removeprefix(ENV_PREFIX).lower()
        if key not in _KINDS:
            hint = _did_you_mean(name, [*names, *sorted(OTHER_VARIABLES)])
            raise ConfigError(f"{name}: unknown setting variable{hint}", source=name)
        values[key] = _read(key, env[name], name, text=True)
    if f"{ENV_PREFIX}DISCORD_TOKEN" not in env and "DISCORD_TOKEN" in env:
        values["discord_token"] = _read(
            "discord_token", env["DISCORD_TOKEN"], "DISCORD_TOKEN", text=True
        )
    return values


def _read_overrides(overrides: Mapping[str, object]) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, raw in overrides.items():
        if key not in _KINDS:
            hint = _did_you_mean(key, list(_KINDS))
            raise ConfigError(f"override {key!r}: unknown setting{hint}", source="override")
        if raw is not None:
            values[key] = _read(key, raw, f"option {key}", text=True)
    return values


def load_settings(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Build the settings: defaults, then the TOML file, then the environment, then overrides.

    Args:
        config_file: the TOML file to read; without it, ``GREATWORK_CONFIG``, else
            ``greatwork.toml`` in the current folder if there is one.
        env: the environment variables (default ``os.environ``): ``GREATWORK_<SETTING>``,
            and ``DISCORD_TOKEN`` when ``GREATWORK_DISCORD_TOKEN`` is not set.
        overrides: values from command-line flags, by setting name; None means "not given".
            A string is read as an environment variable's text would be.

    Raises:
        ConfigError: a file named explicitly is missing or unreadable, a key or variable is
            unknown, or a value is malformed or out of range; the message names the source,
            the value (never a secret's) and what is allowed. Also when LLM settings
            contradict each other (``llm_mode = "openai"`` without ``llm_url`` and
            ``llm_model``, or ``llm_retry_budget`` below ``llm_timeout``).
    """
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = _find_file(config_file, environ)
    if path is not None:
        values.update(_read_file(path))
    values.update(_read_env(environ))
    values.update(_read_overrides(overrides or {}))
    settings = dataclasses.replace(Settings(), **values)
    if settings.llm_mode == "auto" and (settings.llm_url is None) != (settings.llm_model is None):
        given, missing = (
            ("llm_url", "llm_model") if settings.llm_model is None else ("llm_model", "llm_url")
        )
        logger.warning(
            "%s is set but %s is not, so the language model stays off; set %s%s too, "
            "or llm_mode = 'off' to silence this",
            given,
            missing,
            ENV_PREFIX,
            missing.upper(),
        )
    logger.debug("settings from %s: %s", path or "defaults and environment", settings.describe())
    return settings
