"""Settings: defaults, the four sources in order, and a clear error for every bad value."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import time
from pathlib import Path

import pytest

from greatwork.config import ConfigError, Settings, load_settings
from greatwork.rules.errors import GreatworkError

SECRETS = ("discord_token", "llm_api_key", "admin_password")
TOKEN = "MTIz.secret-token-value"  # noqa: S105 (a fake secret for the redaction tests)
KEY = "sk-very-secret-key"
PASSWORD = "correct horse battery"  # noqa: S105 (a fake secret for the redaction tests)


@pytest.fixture(autouse=True)
def _empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in an empty folder, so no stray greatwork.toml is picked up."""
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def error_of(**kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(**kwargs)  # type: ignore[arg-type]
    return caught.value


# --- defaults and sources --------------------------------------------------------------------


def test_defaults_without_file_or_environment() -> None:
    settings = load_settings(env={})
    assert settings == Settings()
    assert settings.db_path == Path("greatwork.db")
    assert settings.timezone == "UTC"
    assert settings.digest_times == (time(13), time(21))
    assert settings.symposium_day == 4
    assert settings.symposium_time == time(12)
    assert (settings.catch_up_cap, settings.snapshot_every) == (14, 1000)
    assert settings.discord_token is None
    assert settings.zone.key == "UTC"


def test_file_values_are_read_and_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "custom.toml",
        """
db_path = "data/game.db"
timezone = "Europe/Paris"
digest_times = ["21:00", 08:30:00, "13:05:30"]
symposium_day = "Sat"
symposium_time = 18:00:00
catch_up_cap = 0
snapshot_every = 10
journal_sync = "Normal"
restart_window = 5
ask_timeout = 2.5
log_level = "debug"
admin_role = "  Archivist "
llm_url = "http://localhost:11434/"
web_port = 0
""",
    )
    settings = load_settings(config_file=path, env={})
    assert settings.db_path == Path("data/game.db")
    assert settings.timezone == "Europe/Paris"
    assert settings.digest_times == (time(8, 30), time(13, 5, 30), time(21))
    assert settings.symposium_day == 5
    assert settings.symposium_time == time(18)
    assert settings.catch_up_cap == 0
    assert settings.snapshot_every == 10
    assert settings.journal_sync == "normal"
    assert settings.restart_window == 5.0
    assert isinstance(settings.restart_window, float)
    assert settings.ask_timeout == 2.5
    assert settings.log_level == "DEBUG"
    assert settings.admin_role == "Archivist"
    assert settings.llm_url == "http://localhost:11434"
    assert settings.web_port == 0


def test_environment_beats_file_and_overrides_beat_environment(tmp_path: Path) -> None:
    path = write(tmp_path / "g.toml", 'db_path = "file.db"\ncatch_up_cap = 3\nweb_port = 1000\n')
    env = {"GREATWORK_DB_PATH": "env.db", "GREATWORK_CATCH_UP_CAP": "7"}
    settings = load_settings(config_file=path, env=env, overrides={"db_path": Path("flag.db")})
    assert settings.db_path == Path("flag.db")
    assert settings.catch_up_cap == 7
    assert settings.web_port == 1000


def test_none_override_means_flag_not_given() -> None:
    env = {"GREATWORK_DB_PATH": "env.db"}
    settings = load_settings(env=env, overrides={"db_path": None, "catch_up_cap": "20"})
    assert settings.db_path == Path("env.db")
    assert settings.catch_up_cap == 20


def test_config_variable_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "elsewhere.toml", "catch_up_cap = 99\n")
    assert load_settings(env={"GREATWORK_CONFIG": str(path)}).catch_up_cap == 99


def test_argument_beats_config_variable(tmp_path: Path) -> None:
    chosen = write(tmp_path / "chosen.toml", "catch_up_cap = 1\n")
    other = write(tmp_path / "other.toml", "catch_up_cap = 2\n")
    settings = load_settings(config_file=chosen, env={"GREATWORK_CONFIG": str(other)})
    assert settings.catch_up_cap == 1


def test_greatwork_toml_in_current_folder_is_read(tmp_path: Path) -> None:
    write(tmp_path / "greatwork.toml", 'timezone = "America/New_York"\n')
    assert load_settings(env={}).timezone == "America/New_York"


@pytest.mark.parametrize("how", ["argument", "variable"])
def test_missing_explicit_file_is_an_error(tmp_path: Path, how: str) -> None:
    missing = tmp_path / "nope.toml"
    if how == "argument":
        error = error_of(config_file=missing, env={})
    else:
        error = error_of(env={"GREATWORK_CONFIG": str(missing)})
        assert error.source == "GREATWORK_CONFIG"
    assert "nope.toml" in error.message
    assert "does not exist" in error.message


def test_folder_as_config_file_is_an_error(tmp_path: Path) -> None:
    assert "not a file" in error_of(config_file=tmp_path, env={}).message


def test_environment_text_forms() -> None:
    env = {
        "GREATWORK_DIGEST_TIMES": " 21:00, 7:05 ,13:00",
        "GREATWORK_SYMPOSIUM_DAY": "friday",
        "GREATWORK_SYMPOSIUM_TIME": "12:30",
        "GREATWORK_RESTART_BUDGET": "0",
        "GREATWORK_ASK_TIMEOUT": "0.5",
        "GREATWORK_METRICS_PORT": "9100",
        "GREATWORK_LOG_LEVEL": "warning",
    }
    settings = load_settings(env=env)
    assert settings.digest_times == (time(7, 5), time(13), time(21))
    assert settings.symposium_day == 4
    assert settings.symposium_time == time(12, 30)
    assert settings.restart_budget == 0
    assert settings.ask_timeout == 0.5
    assert settings.metrics_port == 9100
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(
    ("text", "day"),
    [("monday", 0), ("Tue", 1), ("WEDNESDAY", 2), ("thu", 3), ("4", 4), ("sat", 5), ("6", 6)],
)
def test_symposium_day_names_abbreviations_and_numbers(text: str, day: int) -> None:
    assert load_settings(env={"GREATWORK_SYMPOSIUM_DAY": text}).symposium_day == day


def test_symposium_day_as_number_in_file(tmp_path: Path) -> None:
    path = write(tmp_path / "g.toml", "symposium_day = 0\n")
    assert load_settings(config_file=path, env={}).symposium_day == 0


def test_discord_token_alias_and_precedence() -> None:
    assert load_settings(env={"DISCORD_TOKEN": TOKEN}).discord_token == TOKEN
    env = {"DISCORD_TOKEN": "alias.value", "GREATWORK_DISCORD_TOKEN": TOKEN}
    assert load_settings(env=env).discord_token == TOKEN


def test_empty_variable_clears_an_optional_value(tmp_path: Path) -> None:
    path = write(tmp_path / "g.toml", 'admin_role = "Archivist"\nllm_model = "m"\n')
    settings = load_settings(config_file=path, env={"GREATWORK_ADMIN_ROLE": ""})
    assert settings.admin_role is None
    assert settings.llm_model == "m"


def test_other_variables_are_ignored() -> None:
    settings = load_settings(env={"HOME": "/root", "GREATWORKS": "x", "PATH": "/bin"})
    assert settings == Settings()


def test_os_environ_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREATWORK_CATCH_UP_CAP", "42")
    assert load_settings().catch_up_cap == 42


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('catch_up_cap = "14"', ["key catch_up_cap", "'14'", "whole number from 0 to 1000"]),
        ("catch_up_cap = true", ["key catch_up_cap", "true/false"]),
        ("catch_up_cap = 1.5", ["key catch_up_cap", "1.5"]),
        ("catch_up_cap = 1001", ["key catch_up_cap", "1001", "out of range"]),
        ("snapshot_every = 9", ["key snapshot_every", "from 10 to 1000000"]),
        ("snapshot_every = 1_000_001", ["key snapshot_every", "1000001"]),
        ("restart_window = 0", ["key restart_window", "out of range", "from 1 to 86400"]),
        ("ask_timeout = inf", ["key ask_timeout", "inf"]),
        ("ask_timeout = nan", ["key ask_timeout", "nan"]),
        ("web_port = 65536", ["key web_port", "65536", "0 to 65535"]),
        ("metrics_port = -1", ["key metrics_port", "-1"]),
        ('timezone = "Europe/Pariss"', ["'Europe/Pariss'", "did you mean Europe/Paris?"]),
        ('timezone = "europe/paris"', ["did you mean Europe/Paris?"]),
        ('timezone = "Europe"', ["unknown time zone", "IANA"]),
        ('timezone = "../etc/passwd"', ["unknown time zone"]),
        ("timezone = 1", ["expected a string"]),
        ('digest_times = ["25:00"]', ["key digest_times", "25:00 is not a time of day"]),
        ('digest_times = ["12:60"]', ["12:60 is not a time of day"]),
        ('digest_times = ["noon"]', ["'noon' is not a time like 13:00"]),
        ('digest_times = ["13:00", 13:00:00]', ["13:00 appears twice"]),
        ("digest_times = []", ["0 times given", "1 to 6 distinct"]),
        ('digest_times = ["1:00","2:00","3:00","4:00","5:00","6:00","7:00"]', ["7 times given"]),
        ('digest_times = "13:00"', ["expected a list of times"]),
        ("digest_times = [13:00:00.5]", ["whole seconds"]),
        ("digest_times = [13]", ["expected a time like 13:00"]),
        ('symposium_day = "funday"', ["'funday' is not a weekday", "mon to sun"]),
        ("symposium_day = 7", ["out of range", "0 to 6"]),
        ('symposium_time = "24:00"', ["key symposium_time", "24:00 is not a time of day"]),
        ('log_level = "verbose"', ["unknown level", "DEBUG, INFO"]),
        ('journal_sync = "off"', ["key journal_sync", "unknown mode", "one of full, normal"]),
        ('discord_api = "ftp://x"', ["http:// or https://"]),
        ('llm_url = "localhost:8000"', ["key llm_url", "http:// or https://"]),
        ('admin_role = ""', ["1 to 100 characters"]),
        ('metrics_host = "my host"', ["not a host name"]),
        ('db_path = ""', ["empty path"]),
        ("db_path = 3", ["expected a path"]),
        ("[discord]\ntoken = 'x'", ["unknown key 'discord'", "known keys"]),
        ("digest_time = ['13:00']", ["unknown key 'digest_time'", "did you mean digest_times?"]),
        ("GREATWORK_DB_PATH = 'x'", ["unknown key", "did you mean db_path?"]),
        ("timezone = ", ["not valid TOML", "line 1"]),
    ],
)
def test_bad_file_values_name_file_key_and_limits(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    path = write(tmp_path / "bad.toml", text + "\n")
    error = error_of(config_file=path, env={})
    assert isinstance(error, GreatworkError)
    assert str(path) in error.message
    for word in words:
        assert word in error.message


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("GREATWORK_DIGEST_TIMES", "13:00,25:00", ["'13:00,25:00'", "25:00 is not a time"]),
        ("GREATWORK_DIGEST_TIMES", "13:00,21:00,13:00", ["13:00 appears twice"]),
        ("GREATWORK_DIGEST_TIMES", "13:00,,21:00", ["'' is not a time like 13:00"]),
        ("GREATWORK_DIGEST_TIMES", "", ["is not a time like 13:00"]),
        ("GREATWORK_SYMPOSIUM_DAY", "7", ["'7' is not a weekday"]),
        ("GREATWORK_SYMPOSIUM_DAY", "fridays", ["'fridays' is not a weekday"]),
        ("GREATWORK_CATCH_UP_CAP", "lots", ["'lots'", "not a whole number"]),
        ("GREATWORK_CATCH_UP_CAP", "-1", ["'-1'", "out of range"]),
        ("GREATWORK_WEB_PORT", "", ["not a whole number", "0 to 65535"]),
        ("GREATWORK_ASK_TIMEOUT", "soon", ["not a number"]),
        ("GREATWORK_ASK_TIMEOUT", "0.05", ["out of range", "from 0.1 to 600"]),
        ("GREATWORK_TIMEZONE", "Mars/Olympus", ["unknown time zone"]),
        ("GREATWORK_TIMEZONE", "UTC ", ["did you mean UTC?"]),
        ("GREATWORK_DIGEST_TIME", "13:00", ["unknown setting", "GREATWORK_DIGEST_TIMES?"]),
        ("GREATWORK_CONFIGURATION", "x", ["unknown setting", "GREATWORK_CONFIG?"]),
    ],
)
def test_bad_environment_values_name_the_variable(name: str, value: str, words: list[str]) -> None:
    error = error_of(env={name: value})
    assert error.source == name
    assert error.message.startswith(f"{name}: ")
    for word in words:
        assert word in error.message


def test_override_errors_name_the_option() -> None:
    error = error_of(env={}, overrides={"catch_up_cap": 5000})
    assert error.message.startswith("option catch_up_cap: 5000")
    assert error.key == "catch_up_cap"
    unknown = error_of(env={}, overrides={"db": "x.db"})
    assert "unknown setting" in unknown.message
    assert "did you mean db_path?" in unknown.message


def test_error_carries_source_and_key(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", "web_port = 70000\n")
    error = error_of(config_file=path, env={})
    assert error.source == f"{path}, key web_port"
    assert error.key == "web_port"


def test_constructor_validates_and_normalises() -> None:
    with pytest.raises(ConfigError, match=r"Settings\(catch_up_cap=\.\.\.\): -1"):
        Settings(catch_up_cap=-1)
    with pytest.raises(ConfigError, match="appears twice"):
        Settings(digest_times=(time(13), time(13)))
    with pytest.raises(ConfigError, match="without an offset"):
        Settings(symposium_time=time(12, tzinfo=Settings().zone))
    assert Settings(digest_times=(time(21), time(13))).digest_times == (time(13), time(21))
    with pytest.raises(ConfigError, match="out of range"):
        dataclasses.replace(Settings(), web_port=99999)


# --- the language model ----------------------------------------------------------------------


def test_llm_defaults_leave_the_model_off() -> None:
    settings = Settings()
    assert settings.llm_mode == "auto"
    assert settings.llm_backend == "off"
    assert (settings.llm_timeout, settings.llm_attempts) == (30.0, 3)
    assert (settings.llm_retry_budget, settings.llm_max_tokens) == (60.0, 500)
    assert settings.llm_auto_resume is True
    assert settings.moderation_checker is None


def test_a_moderation_checker_is_named_as_module_and_callable() -> None:
    env = {"GREATWORK_MODERATION_CHECKER": " my_group.checks:make "}
    assert load_settings(env=env).moderation_checker == "my_group.checks:make"
    for bad in ("my_group.checks", "my group:make", "checks:", ":make", "a.b:c.d", "1a:b"):
        with pytest.raises(ConfigError, match=r"package\.module:callable") as caught:
            load_settings(env={"GREATWORK_MODERATION_CHECKER": bad})
        assert "GREATWORK_MODERATION_CHECKER" in str(caught.value)


@pytest.mark.parametrize(
    ("values", "backend"),
    [
        ({"llm_url": "http://127.0.0.1:11434/v1", "llm_model": "m"}, "openai"),
        ({"llm_url": "http://127.0.0.1:11434/v1"}, "off"),
        ({"llm_model": "m"}, "off"),
        ({"llm_mode": "off", "llm_url": "http://127.0.0.1:11434/v1", "llm_model": "m"}, "off"),
        ({"llm_mode": "mock"}, "mock"),
        ({"llm_mode": "mock", "llm_url": "http://127.0.0.1:11434/v1", "llm_model": "m"}, "mock"),
        ({"llm_mode": "openai", "llm_url": "http://127.0.0.1:1/v1", "llm_model": "m"}, "openai"),
    ],
)
def test_llm_backend_resolves_auto(values: dict[str, str], backend: str) -> None:
    assert Settings(**values).llm_backend == backend  # type: ignore[arg-type]


def test_llm_settings_from_file_and_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path / "g.toml",
        """
llm_mode = "OpenAI"
llm_url = "http://127.0.0.1:1234/v1"
llm_model = "qwen2.5-7b-instruct"
llm_timeout = 20
llm_attempts = 5
llm_retry_budget = 45.5
llm_max_tokens = 300
llm_auto_resume = false
""",
    )
    settings = load_settings(config_file=path, env={})
    assert settings.llm_mode == "openai"
    assert settings.llm_backend == "openai"
    assert settings.llm_timeout == 20.0
    assert isinstance(settings.llm_timeout, float)
    assert (settings.llm_attempts, settings.llm_retry_budget) == (5, 45.5)
    assert settings.llm_max_tokens == 300
    assert settings.llm_auto_resume is False
    env = {"GREATWORK_LLM_AUTO_RESUME": " Yes ", "GREATWORK_LLM_MODE": "mock"}
    again = load_settings(config_file=path, env=env)
    assert again.llm_auto_resume is True
    assert again.llm_backend == "mock"


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("ON", True), ("1", True), ("false", False), ("no", False), ("0", False)],
)
def test_llm_auto_resume_words(text: str, value: bool) -> None:
    assert load_settings(env={"GREATWORK_LLM_AUTO_RESUME": text}).llm_auto_resume is value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('llm_mode = "gpt"', ["key llm_mode", "unknown mode", "one of auto, off, openai, mock"]),
        ("llm_timeout = 0.5", ["key llm_timeout", "out of range", "from 1 to 600"]),
        ("llm_attempts = 11", ["key llm_attempts", "from 1 to 10"]),
        ("llm_attempts = 2.5", ["key llm_attempts", "expected a whole number"]),
        ("llm_retry_budget = 3601", ["key llm_retry_budget", "from 1 to 3600"]),
        ("llm_max_tokens = 8", ["key llm_max_tokens", "from 16 to 32768"]),
        ('llm_auto_resume = "yes"', ["key llm_auto_resume", "expected true or false"]),
        ("llm_auto_resume = 1", ["key llm_auto_resume", "expected true or false"]),
    ],
)
def test_bad_llm_values_in_the_file(tmp_path: Path, text: str, words: list[str]) -> None:
    error = error_of(config_file=write(tmp_path / "bad.toml", text + "\n"), env={})
    for word in words:
        assert word in error.message


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("GREATWORK_LLM_AUTO_RESUME", "maybe", ["'maybe' is neither true nor false"]),
        ("GREATWORK_LLM_AUTO_RESUME", "", ["is neither true nor false"]),
        ("GREATWORK_LLM_TIMEOUT", "fast", ["not a number"]),
        ("GREATWORK_LLM_MODE", "on", ["unknown mode"]),
    ],
)
def test_bad_llm_variables(name: str, value: str, words: list[str]) -> None:
    error = error_of(env={name: value})
    assert error.message.startswith(f"{name}: ")
    for word in words:
        assert word in error.message


def test_openai_mode_needs_url_and_model() -> None:
    error = error_of(env={"GREATWORK_LLM_MODE": "openai"})
    assert error.key == "llm_mode"
    assert "llm_url and llm_model are not set" in error.message
    assert "GREATWORK_LLM_URL and GREATWORK_LLM_MODEL" in error.message
    env = {"GREATWORK_LLM_MODE": "openai", "GREATWORK_LLM_URL": "http://127.0.0.1:8000/v1"}
    error = error_of(env=env)
    assert "llm_model is not set" in error.message
    assert "GREATWORK_LLM_URL" not in error.message


def test_retry_budget_below_timeout_is_refused() -> None:
    error = error_of(env={"GREATWORK_LLM_TIMEOUT": "90"})
    assert error.key == "llm_retry_budget"
    assert "llm_retry_budget (60 s) is shorter than llm_timeout (90 s)" in error.message
    with pytest.raises(ConfigError, match="shorter than llm_timeout"):
        Settings(llm_timeout=10, llm_retry_budget=5)
    assert Settings(llm_timeout=10, llm_retry_budget=10).llm_retry_budget == 10


def test_half_configured_model_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="greatwork.config"):
        settings = load_settings(env={"GREATWORK_LLM_URL": "http://127.0.0.1:11434/v1"})
    assert settings.llm_backend == "off"
    assert "llm_url is set but llm_model is not" in caplog.text
    assert "GREATWORK_LLM_MODEL" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="greatwork.config"):
        load_settings(env={"GREATWORK_LLM_MODEL": "m", "GREATWORK_LLM_MODE": "mock"})
        load_settings(env={})
    assert not caplog.records


# --- secrets ---------------------------------------------------------------------------------


def secret_settings() -> Settings:
    env = {
        "DISCORD_TOKEN": TOKEN,
        "GREATWORK_LLM_API_KEY": KEY,
        "GREATWORK_ADMIN_PASSWORD": PASSWORD,
    }
    return load_settings(env=env)


def test_secrets_are_loaded_but_never_shown() -> None:
    settings = secret_settings()
    assert (settings.discord_token, settings.llm_api_key) == (TOKEN, KEY)
    assert settings.admin_password == PASSWORD
    described = settings.describe()
    shown = repr(settings) + str(settings) + json.dumps(described)
    for secret in (TOKEN, KEY, PASSWORD):
        assert secret not in shown
    assert all(described[name] == "<set>" for name in SECRETS)
    assert all(Settings().describe()[name] is None for name in SECRETS)


def test_describe_is_plain_json_with_every_setting() -> None:
    described = Settings().describe()
    assert set(described) == {f.name for f in dataclasses.fields(Settings)}
    assert json.loads(json.dumps(described)) == described
    assert described["digest_times"] == ["13:00", "21:00"]
    assert described["symposium_day"] == "friday"
    assert described["symposium_time"] == "12:00"
    assert described["db_path"] == "greatwork.db"
    with_seconds = Settings(digest_times=(time(6, 0, 30),)).describe()
    assert with_seconds["digest_times"] == ["06:00:30"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GREATWORK_DISCORD_TOKEN", "Bot MTIz.secret"),
        ("DISCORD_TOKEN", "MTIz secret"),
        ("GREATWORK_LLM_API_KEY", "sk-secret key"),
        ("GREATWORK_ADMIN_PASSWORD", "hunter2"),
    ],
)
def test_bad_secret_errors_do_not_repeat_the_value(name: str, value: str) -> None:
    error = error_of(env={name: value})
    assert error.message.startswith(f"{name}: the value (a secret, not shown)")
    assert value not in error.message


def test_url_with_a_password_is_refused_without_showing_it() -> None:
    error = error_of(env={"GREATWORK_LLM_URL": "https://user:hunter22@llm.example/v1"})
    assert "holds a password" in error.message
    assert "hunter22" not in error.message


def test_readable_file_with_secrets_logs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "g.toml", f'discord_token = "{TOKEN}"\n')
    with caplog.at_level(logging.WARNING, logger="greatwork.config"):
        load_settings(config_file=path, env={})
    assert not caplog.records
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="greatwork.config"):
        settings = load_settings(config_file=path, env={})
    assert settings.discord_token == TOKEN
    assert "chmod 600" in caplog.text
    assert "discord_token" in caplog.text
    assert TOKEN not in caplog.text


# --- the documentation -----------------------------------------------------------------------

DOC = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_documentation_lists_every_setting_with_its_variable() -> None:
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == {each.name for each in dataclasses.fields(Settings)}
    for name, row in rows.items():
        assert f"`GREATWORK_{name.upper()}`" in row


def test_documentation_example_file_loads(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8").split("```toml\n")[1].split("```")[0]
    settings = load_settings(config_file=write(tmp_path / "example.toml", text), env={})
    assert settings.timezone == "Australia/Sydney"
    assert settings.digest_times == (time(7, 30), time(19, 30))
    assert settings.discord_token is None
