"""The game's content: YAML files in ``data/``, loaded and validated into rules records.

Every file is checked strictly (required keys, types, ranges, unknown keys, cross references);
the first problem raises a :class:`ContentError` naming the file, the key path and the fault.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from greatwork.content._parse import (
    parse_catchphrases,
    parse_legends,
    parse_namebanks,
    parse_traits,
    parse_world,
)
from greatwork.content._press import parse_press
from greatwork.content._schema import ContentError, Node
from greatwork.content._tables import parse_failures, parse_sideways
from greatwork.rules.content import Content

DATA_DIR = Path(__file__).parent / "data"
FILES = (
    "traits.yaml",
    "namebanks.yaml",
    "catchphrases.yaml",
    "world.yaml",
    "failures.yaml",
    "sideways.yaml",
    "legends.yaml",
    "press.yaml",
    "layers.yaml",
)

__all__ = ["DATA_DIR", "FILES", "ContentError", "load_content"]


def _read(directory: Path, name: str) -> Node:
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(name, "", f"file not found in {directory}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(name, "", f"cannot be read: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ContentError(name, "", f"not valid YAML: {problem}") from exc
    return Node(name, "", data)


def load_content(directory: Path | None = None) -> Content:
    """Load and validate every content file.

    Args:
        directory: where the YAML files are; the package's own ``data/`` by default.

    Returns:
        The content the rules draw from.

    Raises:
        ContentError: a file is missing, malformed or inconsistent (the message says where).
    """
    base = DATA_DIR if directory is None else directory
    nodes = {name: _read(base, name) for name in FILES}
    traits = parse_traits(nodes["traits.yaml"])
    patterns, fills = parse_catchphrases(nodes["catchphrases.yaml"])
    world = parse_world(nodes["world.yaml"])
    draft = Content(
        legends=(),
        namebanks=parse_namebanks(nodes["namebanks.yaml"]),
        archetypes=traits.archetypes,
        disciplines=traits.disciplines,
        methods=traits.methods,
        drives=traits.drives,
        virtues=traits.virtues,
        vices=traits.vices,
        taboos=traits.taboos,
        catchphrases=patterns,
        catchphrase_fills=fills,
        failure_tables=parse_failures(nodes["failures.yaml"]),
        sideways=parse_sideways(nodes["sideways.yaml"]),
        career_ladders=world.career_ladders,
        symposium_topics=world.symposium_topics,
        institutions=world.institutions,
        career_titles=world.career_titles,
        press_templates=parse_press(nodes["press.yaml"], nodes["layers.yaml"]),
    )
    legends = parse_legends(nodes["legends.yaml"], draft)
    return dataclasses.replace(draft, legends=legends)
