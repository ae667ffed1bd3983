"""``/help``: the command list, or one command's usage and options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from greatwork.commands.options import Option
from greatwork.commands.render import bullets, jsonable
from greatwork.commands.spec import CommandSpec, Invocation, Reply


def _usage(spec: CommandSpec) -> str:
    parts = [f"/{spec.path}"]
    for option in spec.options:
        if option.choices:
            shape = "|".join(str(c.value) for c in option.choices)
        elif option.many:
            shape = f"<{option.lookup or 'value'},...>"
        elif option.lookup:
            shape = f"<{option.lookup}>"
        else:
            shape = {
                "string": "<text>",
                "integer": "<n>",
                "number": "<x>",
                "boolean": "true|false",
            }[option.type]
        part = f"{option.name}:{shape}"
        parts.append(part if option.required else f"[{part}]")
    return " ".join(parts)


def _option_data(option: Option) -> dict[str, Any]:
    return {
        "name": option.name,
        "description": option.description,
        "type": option.type,
        "required": option.required,
        "default": option.default,
        "choices": [c.value for c in option.choices],
        "min_value": option.min_value,
        "max_value": option.max_value,
        "min_length": option.min_length,
        "max_length": option.max_length,
        "lookup": option.lookup,
        "many": option.many,
        "max_items": option.max_items,
    }


def _visible(specs: Sequence[CommandSpec], is_admin: bool) -> list[CommandSpec]:  # noqa: FBT001
    return [s for s in specs if is_admin or not s.admin]


async def _help(inv: Invocation) -> Reply:
    from greatwork.commands.catalogue import CATALOGUE  # noqa: PLC0415 (catalogue imports us)

    wanted = inv.options["command"]
    if wanted:
        path = " ".join(wanted.lstrip("/").split())
        group = CATALOGUE.group(path)
        if group and not CATALOGUE.get(path):
            # Listed for everyone (Discord shows them too); only admins may run them.
            title = f"/{path} subcommands" + ("" if inv.is_admin else " (admins only)")
            return _listing(title, group, inv.is_admin)
        spec = CATALOGUE.find(path)
        lines = [spec.description, f"Usage: {_usage(spec)}"]
        lines += [
            f"{o.name}{'' if o.required else ' (optional)'}: {o.description}" for o in spec.options
        ]
        if spec.admin:
            lines.append("For admins only.")
        return Reply(
            title=f"/{spec.path}",
            body="\n".join(lines),
            ephemeral=True,
            data=jsonable(
                {
                    "command": spec.path,
                    "description": spec.description,
                    "admin": spec.admin,
                    "usage": _usage(spec),
                    "options": [_option_data(o) for o in spec.options],
                }
            ),
        )
    specs = _visible(CATALOGUE.top_level(), inv.is_admin)
    if inv.is_admin:
        specs += CATALOGUE.group("gw_admin")
    return _listing("Commands", specs, inv.is_admin)


def _listing(title: str, specs: Sequence[CommandSpec], is_admin: bool) -> Reply:  # noqa: FBT001
    rows = [f"/{s.path}: {s.description}" for s in specs]
    footer = "\n/help command:<name> shows a command's options."
    return Reply(
        title=title,
        body=bullets(rows) + footer,
        ephemeral=True,
        data=jsonable(
            {
                "commands": [
                    {"name": s.path, "description": s.description, "admin": s.admin} for s in specs
                ],
                "admin": is_admin,
            }
        ),
    )


HELP: Final = CommandSpec(
    name="help",
    description="The commands, or one command's options",
    handler=_help,
    options=(
        Option(
            name="command",
            description="A command name (submit_theory, gw_admin run_digest)",
            max_length=64,
        ),
    ),
    ephemeral=True,
)
