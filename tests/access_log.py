"""A synthetic access log with known answers, for the download and subscriber counts.

Each line is a request as a podcast app, a browser, a bot or an aggregator would send it. The
expected figures are written out by hand beside the lines that produce them, so a rule broken in
the counting shows up as a wrong number.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

OPAWG = Path(__file__).resolve().parent.parent / "analytics" / "opawg"

DAY = date(2026, 3, 10)
NEXT_DAY = DAY + timedelta(days=1)


def examples(name: str) -> list[str]:
    entries = json.loads((OPAWG / f"{name}.json").read_text())["entries"]
    seen: list[str] = []
    for entry in entries:
        for example in entry.get("examples", []):
            if example not in seen:
                seen.append(example)
    return seen


APPLE = "AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4_1 like Mac OS X; en_us)"
OVERCAST_APP = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
POCKET_CASTS = "Pocket Casts"
SPOTIFY = "Spotify/8.8.12.545 Android/33 (SM-G991B)"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


@dataclass
class Line:
    at: datetime
    method: str
    target: str  # "A", "B", "C" (episodes), "missing" (no such episode) or "feed"
    address: str
    user_agent: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Log:
    lines: list[Line]
    downloads: dict[tuple[str, date], int]  # (episode, day) -> downloads
    aggregators: dict[str, int]
    other_pollers: int
    apps_seen: int
    bots_sent: int


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=UTC)


def generate(app_count: int = 40, bot_count: int = 40) -> Log:
    lines: list[Line] = []

    def add(when, method, target, address, agent, **headers):
        lines.append(Line(when, method, target, address, agent, headers))

    # A: the same listener downloads, then re-requests ranges the same day: 1.
    add(at(DAY, 8, 0), "GET", "A", "198.51.100.1", APPLE)
    add(at(DAY, 8, 1), "GET", "A", "198.51.100.1", APPLE, Range="bytes=1000-")
    add(at(DAY, 9, 30), "GET", "A", "198.51.100.1", APPLE, Range="bytes=2000-2999")
    # A: Apple's probe, then the download, by another listener: 1.
    add(at(DAY, 8, 5), "GET", "A", "198.51.100.2", APPLE, Range="bytes=0-1")
    add(at(DAY, 8, 6), "GET", "A", "198.51.100.2", APPLE, Range="bytes=0-")
    # A: HEAD and probes only: 0.
    add(at(DAY, 8, 10), "HEAD", "A", "198.51.100.3", OVERCAST_APP)
    add(at(DAY, 8, 11), "GET", "A", "198.51.100.3", OVERCAST_APP, Range="bytes=0-1")
    add(at(DAY, 8, 12), "GET", "A", "198.51.100.3", OVERCAST_APP, Range="bytes=0-0")
    # A: the same address with another app is another listener: 1.
    add(at(DAY, 10, 0), "GET", "A", "198.51.100.1", POCKET_CASTS)
    # A: across UTC midnight, one per day: 1 on DAY, 1 on NEXT_DAY (twice there: still 1).
    add(at(DAY, 23, 59, 30), "GET", "A", "198.51.100.4", SPOTIFY)
    add(at(NEXT_DAY, 0, 0, 30), "GET", "A", "198.51.100.4", SPOTIFY)
    add(at(NEXT_DAY, 7, 0), "GET", "A", "198.51.100.4", SPOTIFY, Range="bytes=5000-")
    # B: a browser playing it from a web app (the Referer names it): 1.
    add(
        at(DAY, 12, 0),
        "GET",
        "B",
        "203.0.113.9",
        FIREFOX,
        Referer="https://overcast.fm/+AbCdE/some-episode",
    )
    # B: a listener who already has the file (304) and one for an unknown episode (404): 0.
    add(at(DAY, 12, 5), "GET", "B", "203.0.113.10", APPLE, **{"If-None-Match": "*"})
    add(at(DAY, 12, 6), "GET", "missing", "203.0.113.11", APPLE)

    # C (audio hosted elsewhere: a redirect): one download per app example, each its own listener.
    apps = examples("apps")[:app_count]
    for n, agent in enumerate(apps):
        add(at(DAY, 14, n // 60, n % 60), "GET", "C", f"10.1.{n // 250}.{n % 250 + 1}", agent)
    # Bots from bots.json: never counted, whatever they ask for.
    bots = examples("bots")[:bot_count]
    for n, agent in enumerate(bots):
        add(at(DAY, 15, n // 60, n % 60), "GET", "C", f"10.2.{n // 250}.{n % 250 + 1}", agent)

    # Feed polls on DAY: two aggregators report counts (Overcast twice: the latest one counts),
    # three apps poll from their own addresses (one of them twice), a bot and a browser too.
    overcast = "Overcast/1.0 Podcast Sync ({} subscribers; feed-id=1234567; +http://overcast.fm/)"
    add(at(DAY, 6, 0), "GET", "feed", "192.0.2.1", overcast.format(10))
    add(at(DAY, 18, 0), "GET", "feed", "192.0.2.2", overcast.format(12))
    player_fm = "PlayerFM/1.0 Podcast Sync (5 subscribers; url=https://player.fm/series/1)"
    add(at(DAY, 7, 0), "GET", "feed", "192.0.2.3", player_fm)
    for n in range(3):
        add(at(DAY, 9, n), "GET", "feed", f"192.0.2.{10 + n}", APPLE)
    add(at(DAY, 11, 0), "GET", "feed", "192.0.2.10", APPLE, **{"If-None-Match": "*"})
    add(at(DAY, 11, 5), "GET", "feed", "192.0.2.20", bots[0])
    add(at(DAY, 11, 6), "GET", "feed", "192.0.2.21", FIREFOX)

    return Log(
        lines=lines,
        downloads={
            ("A", DAY): 4,
            ("A", NEXT_DAY): 1,
            ("B", DAY): 1,
            ("C", DAY): len(apps),
        },
        aggregators={"Overcast feed parser": 12, "PlayerFM Podcast Sync": 5},
        other_pollers=3,
        apps_seen=len(apps),
        bots_sent=len(bots),
    )
