"""What Apple Podcasts, Spotify and Podcast Index accept (REFERENCE.md), in one place.

The admin forms refuse what breaks these rules, the importers convert or report it, the feed
writes within them and `check_feed` names every break: all of them read the rules here, so they
cannot disagree about what a directory takes.
"""

import re
from decimal import Decimal

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

# Namespaces --------------------------------------------------------------------------------------

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# Feeds written before the namespace settled use its old GitHub URI; readers accept both.
PODCAST_NAMESPACES = (
    PODCAST_NS,
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)

# Text --------------------------------------------------------------------------------------------

DESCRIPTION_LIMIT = 4000  # bytes of UTF-8: a show's or an episode's description


def description_bytes_over(text: str) -> int | None:
    """The text's size in bytes when it exceeds the description limit, else None."""
    size = len(text.encode("utf-8"))
    return size if size > DESCRIPTION_LIMIT else None


def validate_description(text: str) -> None:
    if size := description_bytes_over(text):
        raise ValidationError(
            f"At most {DESCRIPTION_LIMIT:,} bytes are allowed (Apple's limit); "
            f"this is {size:,} bytes."
        )


# Artwork -----------------------------------------------------------------------------------------

ARTWORK_MIN_PX, ARTWORK_MAX_PX = 1400, 3000
# Pillow's format name and the file extensions each may carry; the first is the one we write.
ARTWORK_FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
ARTWORK_MODE = "RGB"
_MODE_PROBLEMS = {
    "CMYK": "uses the CMYK colour space (print); Apple needs RGB",
    "P": "is a palette (indexed-colour) image; Apple needs full RGB colour",
    "L": "is greyscale; Apple needs RGB colour",
    "LA": "is greyscale with transparency; Apple needs RGB colour without transparency",
    "RGBA": "has transparency (an alpha channel); Apple needs RGB without transparency",
    "1": "is black-and-white (1-bit); Apple needs RGB colour",
}


def artwork_shape_problems(image_format: str | None, width: int, height: int) -> list[str]:
    """What no colour conversion can mend: the format, squareness and size, as `is …` phrases."""
    problems = []
    if image_format not in ARTWORK_FORMATS:
        problems.append(f"is {image_format or 'of an unknown format'}; use JPEG or PNG")
    if width != height:
        problems.append(f"is {width}×{height} px but must be square")
    if not all(ARTWORK_MIN_PX <= side <= ARTWORK_MAX_PX for side in (width, height)):
        problems.append(
            f"is {width}×{height} px but must be between {ARTWORK_MIN_PX} and "
            f"{ARTWORK_MAX_PX} px on each side"
        )
    return problems


def artwork_mode_problem(mode: str) -> str | None:
    """Why the colour mode is refused (an `is …`/`has …` phrase), or None for RGB."""
    if mode == ARTWORK_MODE:
        return None
    return _MODE_PROBLEMS.get(mode, f"uses colour mode {mode}; Apple needs RGB")


def artwork_problems(image_format: str | None, mode: str, width: int, height: int) -> list[str]:
    """Every way this image breaks Apple's artwork rule; [] when Apple takes it."""
    mode_problem = artwork_mode_problem(mode)
    shape = artwork_shape_problems(image_format, width, height)
    return [*shape, mode_problem] if mode_problem else shape


def artwork_extension(image_format: str) -> str:
    """The extension an artwork file of this format is stored under (".png", ".jpg")."""
    return ARTWORK_FORMATS[image_format][0]


# Audio -------------------------------------------------------------------------------------------

# Apple's enclosure extensions and the types each may be served as.
ENCLOSURE_TYPES = {
    ".mp3": {"audio/mpeg", "audio/mp3"},
    ".m4a": {"audio/x-m4a", "audio/mp4", "audio/m4a"},
    ".mp4": {"video/mp4"},
    ".m4v": {"video/x-m4v", "video/mp4"},
    ".mov": {"video/quicktime"},
    ".pdf": {"application/pdf"},
}
# The audio we take (uploads, external files), by extension, with the type we write for it.
AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}
AUDIO_MIME_TYPES = frozenset(ENCLOSURE_TYPES[".mp3"] | ENCLOSURE_TYPES[".m4a"])


def enclosure_problem(extension: str, mime_type: str) -> str | None:
    """Why a directory would refuse an enclosure with this file extension and type."""
    if extension not in ENCLOSURE_TYPES:
        return f"audio file name ends in “{extension}”; Apple accepts .mp3 or .m4a"
    if not mime_type:
        return "audio type is unknown"
    if mime_type not in ENCLOSURE_TYPES[extension]:
        return f"audio type {mime_type} does not match its “{extension}” file name"
    return None


# Transcripts -------------------------------------------------------------------------------------

# Files of timed captions, by extension: podcast:transcript marks them rel="captions".
CAPTION_FILE_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}
CAPTION_TYPES = frozenset(CAPTION_FILE_TYPES.values())
TRANSCRIPT_TYPES = CAPTION_TYPES | {"application/json", "text/html", "text/plain"}


# Podcasting 2.0 (podcastindex-org/podcast-namespace, docs/tags/*.md) ----------------------------

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
