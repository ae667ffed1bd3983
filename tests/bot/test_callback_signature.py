"""The generated slash callbacks carry a ready signature, so disnake need not rebuild it per call.

disnake runs ``call_param_func`` on every slash command: ``collect_params`` and ``safe_call``
each read the callback's signature and evaluate its annotations. The callbacks built by
``greatwork.bot.app`` therefore carry a ``__signature__`` whose annotations are evaluated
already; these tests check that it is the one disnake reads, that it tells the truth about
the function, and that disnake still hands every option of the catalogue to the runner.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from disnake.ext import commands
from disnake.ext.commands.params import call_param_func, collect_params
from disnake.interactions.application_command import ApplicationCommandInteraction
from disnake.utils import get_signature_parameters

from greatwork.bot.app import _signed, slash_commands
from greatwork.bot.render import COLOUR_OK
from greatwork.bot.schema import SETUP, registration
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import ADMIN_GROUP, CommandSpec
from tests.discord.world import running_world, text_of


@dataclass
class RecordingRunner:
    """Stands in for the CommandRunner: keeps what each callback hands it."""

    runs: list[tuple[object, CommandSpec, dict[str, Any]]] = field(default_factory=list)
    setups: list[tuple[object, dict[str, Any]]] = field(default_factory=list)

    async def run(self, inter: object, spec: CommandSpec, options: dict[str, Any]) -> None:
        self.runs.append((inter, spec, dict(options)))

    async def setup(self, inter: object, options: dict[str, Any]) -> None:
        self.setups.append((inter, dict(options)))


def _callbacks(
    runner: RecordingRunner,
) -> list[tuple[str, commands.InvokableSlashCommand | commands.SubCommand]]:
    """Every command that runs a callback through disnake, by the path a player types."""
    found: list[tuple[str, commands.InvokableSlashCommand | commands.SubCommand]] = []
    for command in slash_commands(runner, None):  # type: ignore[arg-type]
        if command.name != ADMIN_GROUP:
            found.append((command.name, command))
            continue
        for name, sub in command.children.items():
            assert isinstance(sub, commands.SubCommand)
            found.append((f"{ADMIN_GROUP} {name}", sub))
    return found


def _registered_options() -> dict[str, list[str]]:
    """The option names of every command in the registration JSON, by path."""
    options: dict[str, list[str]] = {}
    for data in registration():
        if data["name"] != ADMIN_GROUP:
            options[data["name"]] = [o["name"] for o in data.get("options", [])]
            continue
        for sub in data["options"]:
            options[f"{ADMIN_GROUP} {sub['name']}"] = [o["name"] for o in sub.get("options", [])]
    return options


def test_every_command_and_subcommand_has_a_ready_callback() -> None:
    built = dict(_callbacks(RecordingRunner()))
    assert set(built) == set(_registered_options())
    assert len(built) == len(CATALOGUE) + 1  # the catalogue, and /gw_admin setup
    for path, command in built.items():
        callback = command.callback
        ready = vars(callback).get("__signature__")
        assert isinstance(ready, inspect.Signature), path
        # inspect.signature returns the ready object itself: nothing is rebuilt per call.
        assert inspect.signature(callback) is ready, path


def test_disnake_reads_evaluated_annotations_and_no_parameter_of_its_own() -> None:
    for path, command in _callbacks(RecordingRunner()):
        parameters = get_signature_parameters(command.callback)
        assert list(parameters) == ["inter", "options"], path
        assert parameters["inter"].annotation is ApplicationCommandInteraction, path
        assert parameters["options"].kind is inspect.Parameter.VAR_KEYWORD, path
        assert not any(isinstance(p.annotation, str) for p in parameters.values()), path
        # The interaction is found by its annotation; the options come from the registration
        # JSON, so disnake makes no option (and no conversion) of its own from the signature.
        assert collect_params(command.callback) == (None, "inter", [], {}), path


def test_the_ready_signature_tells_the_truth_about_the_function() -> None:
    for path, command in _callbacks(RecordingRunner()):
        callback = command.callback
        code = callback.__code__
        ready = inspect.signature(callback)
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount + 1]
        assert tuple(ready.parameters) == names, path
        assert code.co_flags & inspect.CO_VARKEYWORDS, path
        hints = typing.get_type_hints(callback)  # the function's own annotations, evaluated
        for name, parameter in ready.parameters.items():
            hint = hints[name]
            assert parameter.annotation in (hint, typing.get_origin(hint)), (path, name)


async def test_disnake_hands_every_registered_option_to_the_runner() -> None:
    runner = RecordingRunner()
    registered = _registered_options()
    inter = object()
    for path, command in _callbacks(runner):
        values = {name: f"{name} of /{path}" for name in registered[path]}
        returned: object = await call_param_func(command.callback, inter, None, **values)  # type: ignore[arg-type]
        assert returned is None, path
        if path == f"{ADMIN_GROUP} {SETUP}":
            assert runner.setups[-1] == (inter, values)
        else:
            passed_inter, spec, options = runner.runs[-1]
            assert (passed_inter, spec.path, options) == (inter, path, values)
    assert len(runner.runs) == len(CATALOGUE)
    assert len(runner.setups) == 1


def test_a_callback_whose_parameters_differ_from_the_ready_signature_is_refused() -> None:
    async def positional(inter: ApplicationCommandInteraction[Any], theory: str) -> None:
        del inter, theory

    with pytest.raises(
        TypeError, match=r"positional takes \(inter.*theory: 'str'\) -> 'None', not \(inter"
    ):
        _signed(positional)
    assert "__signature__" not in vars(positional)


async def test_slash_commands_still_answer_through_the_emulator(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        theory = await world.slash(
            "Ada", "submit_theory", theory="Bronze Age flight", confidence="certain"
        )
        assert theory.original is not None
        assert theory.original["embeds"][0]["color"] == COLOUR_OK
        assert "Bronze Age flight" in text_of(theory.original)

        world.member("Root", admin=True)
        setup = await world.slash("Root", "gw_admin setup")
        assert setup.original is not None
        assert setup.original["embeds"][0]["color"] == COLOUR_OK
        assert "#gazette" in text_of(setup.original)
