"""User-Agent classification against the OPAWG entries' own examples, in upstream's order."""

import json
from pathlib import Path

import pytest

from analytics.agents import classify, reported_subscribers, web_app
from analytics.counting import _origin

OPAWG = Path(__file__).resolve().parent.parent / "analytics" / "opawg"
KINDS = {"bots": "bot", "apps": "app", "libraries": "library", "browsers": "browser"}
# Upstream's own data disagrees with its order here: "Apple iPhone" (CFNetwork) comes first.
DEVICE_CONFLICTS = {("Apple Watch", "Watch/1140 CFNetwork/3860.200.71 Darwin/25.1.0")}


def entries(name: str) -> list[dict]:
    return json.loads((OPAWG / f"{name}.json").read_text())["entries"]


def cases(name: str) -> list:
    return [
        pytest.param(entry, example, id=f"{entry['name']}: {example[:60]}")
        for entry in entries(name)
        for example in entry.get("examples", [])
    ]


def test_the_vendored_data_keeps_its_licence_and_upstream_commit():
    assert "MIT License" in (OPAWG / "LICENSE").read_text()
    assert "8008a31b7d348cd5722656c9d3e2d0c1cd6af212" in (OPAWG / "README.md").read_text()


@pytest.mark.parametrize("table", list(KINDS))
def test_every_example_is_classified_as_its_own_entry(table):
    wrong = []
    for entry in entries(table):
        expected = "bot" if entry.get("category") == "bot" else KINDS[table]
        for example in entry.get("examples", []):
            agent = classify(example)
            if (agent.kind, agent.name) != (expected, entry["name"]):
                wrong.append((entry["name"], example, agent))
    assert wrong == []
    assert sum(len(e.get("examples", [])) for e in entries(table)) > 10


def test_every_device_example_names_its_device_and_category():
    wrong = []
    for entry in entries("devices"):
        for example in entry.get("examples", []):
            if (entry["name"], example) in DEVICE_CONFLICTS:
                continue
            agent = classify(example)
            if agent.is_bot:  # e.g. smart speakers' fetchers: no device for bots
                continue
            if (agent.device, agent.device_category) != (entry["name"], entry["category"]):
                wrong.append((entry["name"], example, agent))
    assert wrong == []


@pytest.mark.parametrize(("entry", "example"), cases("referrers"))
def test_every_referrer_example_names_its_web_app_from_its_origin_alone(entry, example):
    assert web_app(example) == entry["name"]
    assert web_app(_origin(example)) == entry["name"]


def test_bots_come_before_apps_and_unknown_agents_are_not_bots():
    assert classify("Googlebot/2.1 (+http://www.google.com/bot.html)").is_bot
    assert classify("").is_bot
    unknown = classify("SomeNewPlayer/1.0 (iPhone)")
    assert (unknown.kind, unknown.device_category) == ("unknown", "mobile")


def test_aggregators_report_subscribers_in_their_user_agent():
    overcast = "Overcast/1.0 Podcast Sync (123 subscribers; feed-id=1; +http://overcast.fm/)"
    assert reported_subscribers(overcast) == 123
    assert (
        reported_subscribers("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 1 subscriber)") == 1
    )
    assert reported_subscribers("AppleCoreMedia/1.0.0.20E247 (iPhone)") is None


def test_referers_are_cut_to_their_origin():
    assert _origin("https://User:pw@Example.com:8443/path?q=1#x") == "https://example.com:8443/"
    assert _origin("not a url") == ""
