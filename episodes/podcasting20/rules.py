"""Podcasting 2.0 namespace rules (podcastindex-org/podcast-namespace, docs/tags/*.md).

One home for each allowed value, limit and format, used by models, forms, feed and checks alike.
"""

import re
from decimal import Decimal

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

# Node values the namespace asks to keep short, or aggregators may truncate them.
SHORT_TEXT = 128
TXT_LIMIT = 4000
ALTERNATE_TITLE_LIMIT = 32
# soundbite.md: recommended between 15 and 120 seconds.
SOUNDBITE_MIN_SECONDS, SOUNDBITE_MAX_SECONDS = 15, 120


class Medium(models.TextChoices):
    """medium.md: what the feed's content is (not what it is about)."""

    PODCAST = "podcast", "Podcast"
    MUSIC = "music", "Music (an album)"
    VIDEO = "video", "Video"
    FILM = "film", "Film"
    AUDIOBOOK = "audiobook", "Audiobook"
    NEWSLETTER = "newsletter", "Newsletter"
    BLOG = "blog", "Blog"
    COURSE = "course", "Course"


class LocationRel(models.TextChoices):
    SUBJECT = "subject", "What the content is about"
    CREATOR = "creator", "Where it was recorded or produced"


# serviceslugs.txt: the platforms `podcast:block id` may name.
SERVICE_SLUGS = (
    "acast", "amazon", "anchor", "apple", "audioboom", "backtracks", "bitcoin", "blubrry",
    "buzzsprout", "captivate", "castos", "fireside", "google", "hypercatcher", "libsyn",
    "mastodon", "megafono", "megaphone", "omnystudio", "overcast", "paypal", "pinecast",
    "podbean", "podcastaddict", "podcastindex", "podcasts.com", "podchaser", "podfriend",
    "podiant", "podigee", "podnews", "podomatic", "podserve", "podverse", "redcircle",
    "relayfm", "resonate", "rss.com", "shoutengine", "simplecast", "slack", "soundcloud",
    "spotify", "spreaker", "transistor", "twitter", "whooshkaa", "zencast",
)  # fmt: skip
SERVICE_CHOICES = [(slug, slug) for slug in SERVICE_SLUGS]


class SocialProtocol(models.TextChoices):
    """socialprotocols.txt."""

    ACTIVITYPUB = "activitypub", "ActivityPub (Mastodon and others)"
    BLUESKY = "bluesky", "Bluesky"
    TWITTER = "twitter", "X / Twitter"
    NOSTR = "nostr", "Nostr"
    MATRIX = "matrix", "Matrix"
    HIVE = "hive", "Hive"
    LIGHTNING = "lightning", "Lightning"
    DISABLED = "disabled", "Disabled: no public comments, please"


# license/licenses.json identifiers of the well-known public licenses podcasters use; any other
# (custom) license must name the URL of its full text.
KNOWN_LICENSES = {
    "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nd-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0",
    "cc-by-nc-nd-4.0", "cc-by-3.0", "cc-by-sa-3.0", "cc-by-nd-3.0", "cc-by-nc-3.0",
    "cc-by-nc-sa-3.0", "cc-by-nc-nd-3.0", "cc-pddc", "pddl-1.0", "odc-by-1.0", "odbl-1.0",
    "mit", "apache-2.0", "gpl-3.0", "fal-1.3",
}  # fmt: skip


def license_needs_url(identifier: str) -> bool:
    return bool(identifier) and identifier.strip().lower() not in KNOWN_LICENSES


validate_geo_uri = RegexValidator(
    r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?$",
    "Use a geo: URI, latitude then longitude, e.g. “geo:30.2672,-97.7431”.",
)
validate_osm = RegexValidator(
    r"^[NWR]\d+(#\d+)?$",
    "Use an OpenStreetMap id: N (node), W (way) or R (relation) and its number, e.g. “R113314”.",
)
validate_country = RegexValidator(
    r"^[a-z]{2}$", "Use a two-letter ISO 3166-1 country code in lower case, e.g. “us”."
)
validate_node_pubkey = RegexValidator(
    r"^0[23][0-9a-f]{64}$",
    "A Lightning node's public key: 66 hexadecimal characters beginning with 02 or 03.",
)
validate_custom_key = RegexValidator(
    r"^\d{1,20}$", "A keysend custom record key is a number, e.g. 696969."
)


def validate_geo_range(value: str) -> None:
    try:
        latitude, longitude = (float(part) for part in value[4:].split(";")[0].split(",")[:2])
    except ValueError:
        return  # not a geo: URI at all, which validate_geo_uri says
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError("Latitude is between -90 and 90, longitude between -180 and 180.")


def validate_rrule(value: str) -> None:
    """An iCalendar (RFC 5545) recurrence rule such as “FREQ=WEEKLY;BYDAY=MO”."""
    if not value.startswith("FREQ="):
        raise ValidationError("A recurrence rule starts with FREQ=, e.g. “FREQ=WEEKLY”.")
    try:
        rrulestr(value, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"Not a valid recurrence rule (RFC 5545): {exc}.") from exc


def rrule_needs_dtstart(rrule: str) -> bool:
    return "COUNT=" in rrule.upper()


def validate_splits(splits: list[tuple[int, bool]]) -> list[str]:
    """Problems of value recipients' (split, fee) pairs, as messages."""
    problems = []
    if any(split <= 0 for split, _ in splits):
        problems.append("every value recipient needs a split of at least 1 share")
    if splits and not any(not fee for _, fee in splits):
        problems.append("value recipients are all fees: someone must receive the rest")
    if sum(split for split, fee in splits if fee) > 100:
        problems.append("fee recipients' splits are percentages and add up to more than 100")
    return problems


def sri_valid(value: str) -> bool:
    """integrity.md: an SRI hash such as sha384-<base64>."""
    return bool(re.fullmatch(r"sha(256|384|512)-[A-Za-z0-9+/]+={0,2}", value))


def decimal_seconds(value: Decimal | float | int) -> str:
    """Seconds as the namespace writes them: “73.5”, “60”."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text
