"""Narrative quality of the Gazette: simulated seasons, measured as a reader would meet them.

For each seed, runs ``greatwork simulate --players 6 --days 14 --seed N --json`` (a season of
bots through the real server, no language model) and reports:

- the share of distinct headlines among all press items (target >= 0.9);
- the number of unfilled ``{placeholders}`` in headlines and bodies (target 0);
- the longest digest, rendered to Discord posts by ``greatwork.bot.gazette.digest_posts``
  and checked against Discord's limits by ``greatwork.bot.limits.post_problems``;
- press items per digest (by the digest that carries them): median and maximum;
- how many of the items are layered follow-ups (section 4.3; ``"layer": true`` in the JSON).

Prints a table (or, with ``--json``, one JSON object). Run from the repository root:
``.venv/bin/python bench/narrative_bench.py [--seeds 1-5] [--players 6] [--days 14]``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from greatwork.bot.gazette import digest_posts
from greatwork.bot.limits import Post, embed_size, post_problems
from greatwork.press.item import PressItem
from greatwork.rules.ids import Instant

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")
TARGET_SHARE = 0.9
TIMEOUT = 300  # seconds one simulated season may take


@dataclass(frozen=True, slots=True)
class Season:
    """The figures of one seed."""

    seed: int
    items: int
    layers: int
    digests: int
    distinct_headlines: int
    share: float
    placeholders: int
    per_digest_median: float
    per_digest_max: int
    longest_digest: int
    longest_items: int
    longest_messages: int
    longest_chars: int
    largest_message_chars: int
    limit_problems: int
    top_repeats: list[tuple[str, int]]


def _seeds(text: str) -> list[int]:
    """``1-5`` or ``1,3,8``."""
    seeds: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected seeds like 1-5 or 1,3,8, got {text!r}"
            ) from None
        if last < first:
            raise argparse.ArgumentTypeError(f"the range {part!r} runs backwards")
        seeds.extend(range(first, last + 1))
    return seeds


def run_season(seed: int, players: int, days: int) -> list[dict[str, Any]]:
    """The JSON lines of one simulated season."""
    argv = [
        sys.executable,
        "-m",
        "greatwork",
        "simulate",
        "--players",
        str(players),
        "--days",
        str(days),
        "--seed",
        str(seed),
        "--json",
    ]
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        argv, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"simulate --seed {seed} exited {done.returncode}: {done.stderr}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _item(line: dict[str, Any]) -> PressItem:
    return PressItem(
        id=int(line["id"]),
        kind=str(line["kind"]),
        headline=str(line["headline"]),
        body=str(line["body"]),
        at=Instant(0),
        release_at=Instant(int(line.get("release_at", 0))),
        seq=0,
        digest=int(line["digest"]),
        meta={"layer": True} if line.get("layer") else {},
    )


def _size(post: Post) -> int:
    return len(post.content) + sum(embed_size(embed) for embed in post.embeds)


def measure(seed: int, lines: Sequence[dict[str, Any]]) -> Season:
    """The figures of one season's JSON lines."""
    press = [_item(line) for line in lines if line.get("type") == "press"]
    years = {
        int(line["number"]): line.get("year") for line in lines if line.get("type") == "digest"
    }
    headlines = Counter(item.headline for item in press)
    placeholders = sum(len(PLACEHOLDER.findall(f"{i.headline}\n{i.body}")) for i in press)
    by_digest: dict[int, list[PressItem]] = defaultdict(list)
    for item in press:
        by_digest[item.digest].append(item)
    counts = [len(by_digest.get(number, [])) for number in sorted(years)] or [0]
    longest = (0, 0, 0, 0, 0)  # chars, digest, items, messages, largest message
    problems = 0
    for number, items in by_digest.items():
        year = years.get(number)
        posts = digest_posts(number, int(year) if year is not None else None, items)
        problems += sum(len(post_problems(post)) for post in posts)
        sizes = [_size(post) for post in posts]
        candidate = (sum(sizes), number, len(items), len(posts), max(sizes))
        longest = max(longest, candidate)
    repeats = [(text, n) for text, n in headlines.most_common(5) if n > 1]
    return Season(
        seed=seed,
        items=len(press),
        layers=sum(1 for item in press if item.meta.get("layer")),
        digests=len(years),
        distinct_headlines=len(headlines),
        share=round(len(headlines) / len(press), 3) if press else 1.0,
        placeholders=placeholders,
        per_digest_median=statistics.median(counts),
        per_digest_max=max(counts),
        longest_digest=longest[1],
        longest_items=longest[2],
        longest_messages=longest[3],
        longest_chars=longest[0],
        largest_message_chars=longest[4],
        limit_problems=problems,
        top_repeats=repeats,
    )


def _table(seasons: Sequence[Season]) -> str:
    head = (
        "seed  items  layers  distinct  share  {x}  per digest med/max  "
        "longest digest (items, msgs, chars, largest msg)  limit problems"
    )
    rows = [head, "-" * len(head)]
    for s in seasons:
        share = f"{s.share:.3f}" + ("" if s.share >= TARGET_SHARE else "*")
        rows.append(
            f"{s.seed:>4}  {s.items:>5}  {s.layers:>6}  {s.distinct_headlines:>8}  {share:<6} "
            f"{s.placeholders:>3}  {s.per_digest_median:>9g} / {s.per_digest_max:<6}  "
            f"No. {s.longest_digest:<3} ({s.longest_items}, {s.longest_messages}, "
            f"{s.longest_chars:,}, {s.largest_message_chars:,}){'':<14}  {s.limit_problems}"
        )
    shares = [s.share for s in seasons]
    rows.append("")
    rows.append(
        f"share: min {min(shares):.3f}, mean {statistics.fmean(shares):.3f} "
        f"(target >= {TARGET_SHARE}; * marks a miss); placeholders in all: "
        f"{sum(s.placeholders for s in seasons)} (target 0)"
    )
    for s in seasons:
        if s.top_repeats:
            shown = "; ".join(f"{n}x {text!r}" for text, n in s.top_repeats[:3])
            rows.append(f"seed {s.seed} most repeated: {shown}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=_seeds, default=_seeds("1-5"), help="e.g. 1-5 or 1,3,8")
    parser.add_argument("--players", type=int, default=6)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--jobs", type=int, default=2, help="seasons simulated at once")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = list(pool.map(lambda s: run_season(s, args.players, args.days), args.seeds))
    seasons = [measure(seed, lines) for seed, lines in zip(args.seeds, runs, strict=True)]
    if args.json:
        print(json.dumps({"seasons": [asdict(s) for s in seasons]}, ensure_ascii=False))
    else:
        print(_table(seasons))
    ok = all(s.placeholders == 0 and s.limit_problems == 0 for s in seasons)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
