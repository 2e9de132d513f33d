"""Who made a request: the OPAWG patterns (vendored in `opawg/`) applied in upstream's order.

A User-Agent is a bot, an app, a library or a browser (the first matching entry of those files,
in that order); anything but a bot may also name a device and its category, and a browser's
Referer may name the web app that played the episode.
"""

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "opawg"
AGENT_FILES = ("bots", "apps", "libraries", "browsers")
SUBSCRIBERS = re.compile(r"(\d+)\s+subscribers?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    name: str
    pattern: re.Pattern
    category: str


@dataclass(frozen=True)
class Agent:
    """A classified User-Agent. `kind` is bot, app, library, browser or unknown."""

    kind: str
    name: str
    device: str = ""
    device_category: str = ""

    @property
    def is_bot(self) -> bool:
        return self.kind == "bot"


def _load(name: str) -> tuple[Entry, ...]:
    entries = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))["entries"]
    return tuple(Entry(e["name"], re.compile(e["pattern"]), e.get("category", "")) for e in entries)


@functools.cache
def _tables() -> dict[str, tuple[Entry, ...]]:
    return {name: _load(name) for name in (*AGENT_FILES, "devices", "referrers")}


def _first(table: str, text: str) -> Entry | None:
    return next((e for e in _tables()[table] if e.pattern.search(text)), None)


@functools.lru_cache(maxsize=4096)
def classify(user_agent: str) -> Agent:
    """The agent behind a User-Agent; cached: a few thousand strings make most of the traffic."""
    text = user_agent.replace("\r", "").replace("\n", "")
    for table in AGENT_FILES:
        entry = _first(table, text)
        if entry is None:
            continue
        kind = table.removesuffix("s").replace("librarie", "library")
        # Some libraries are flagged as mostly server-side ("category": "bot"): left out too.
        if kind == "bot" or entry.category == "bot":
            return Agent("bot", entry.name)
        device = _first("devices", text)
        return Agent(
            kind,
            entry.name,
            device.name if device else "",
            device.category if device else "",
        )
    # No entry at all: most unnamed clients are scripts, but an empty User-Agent is certainly one.
    if not text.strip():
        return Agent("bot", "")
    device = _first("devices", text)
    return Agent("unknown", "", device.name if device else "", device.category if device else "")


@functools.lru_cache(maxsize=1024)
def web_app(referrer: str) -> str:
    """The web app or host player named by a Referer (only its origin is ever kept)."""
    entry = _first("referrers", referrer) if referrer else None
    return entry.name if entry else ""


def reported_subscribers(user_agent: str) -> int | None:
    """Aggregators (Overcast, Player FM, …) say how many they poll for: `123 subscribers`."""
    match = SUBSCRIBERS.search(user_agent)
    return int(match[1]) if match else None
