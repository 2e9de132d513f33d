"""Publish preflight: the rules of Apple, Spotify and Podcast Index a show or episode breaks.

Used by `manage.py check_feed` and shown on the admin's change pages. Errors make a directory
reject the feed or an episode; warnings are what directories frown upon.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

from episodes.models import Episode, Show, validate_language
from episodes.podcasting20 import checks as podcasting20
from episodes.podcasting20.feed import ITEM_PREFETCH
from podcast import rules
from podcast.media import stored_audio_seconds
from podcast.text import format_duration

ERROR, WARNING = "error", "warning"
LIMIT = f"{rules.DESCRIPTION_LIMIT:,}"


@dataclass(frozen=True)
class Problem:
    level: str
    show: str
    message: str
    episode: str = ""
    episode_id: int | None = None

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        where = f"{self.show} / {self.episode}" if self.episode else self.show
        return f"{self.level.upper()} {where}: {self.message}"


def artwork_problems(art: FieldFile) -> list[str]:
    """Apple's artwork rules, read from the stored file itself."""
    try:
        with art.open("rb") as handle, Image.open(handle) as image:
            fmt, mode, (width, height) = image.format, image.mode, image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return ["artwork cannot be read as an image (missing or damaged file)"]
    problems = [f"artwork {each}" for each in rules.artwork_problems(fmt, mode, width, height)]
    extension = PurePosixPath(art.name).suffix.lower()
    if fmt in rules.ARTWORK_FORMATS and extension not in rules.ARTWORK_FORMATS[fmt]:
        problems.append(f"artwork is {fmt} but its name ends in “{extension}”")
    return problems


def show_problems(show: Show) -> list[Problem]:
    def problem(level: str, message: str) -> Problem:
        return Problem(level, show.slug, message)

    found = []
    if not show.cover_art:
        found.append(problem(ERROR, "no artwork: Apple requires it"))
    else:
        found += [problem(ERROR, message) for message in artwork_problems(show.cover_art)]
    if not show.owner_email:
        found.append(problem(ERROR, "no owner email: Spotify and Apple verify ownership by it"))
    if not show.owner_name:
        found.append(problem(WARNING, "no owner name"))
    if not show.author:
        found.append(problem(WARNING, "no author"))
    if not show.description.strip():
        found.append(problem(ERROR, "no description"))
    elif size := rules.description_bytes_over(show.description):
        found.append(problem(ERROR, f"description is {size:,} bytes; at most {LIMIT}"))
    try:
        validate_language(show.language)
    except ValidationError:
        found.append(problem(ERROR, f"language “{show.language}” is not an ISO 639 code (“en”)"))
    found += [problem(level, message) for level, message in podcasting20.show_problems(show)]
    if not (settings.WEBSUB_HUBS or (settings.PODPING_URL and settings.PODPING_TOKEN)):
        found.append(
            problem(
                WARNING,
                "no WebSub hub and no Podping configured: apps see new episodes only when they "
                "next poll (set WEBSUB_HUBS, or PODPING_URL and PODPING_TOKEN)",
            )
        )
    return found


def _title_has_number(episode: Episode) -> bool:
    number, season = episode.episode_number, episode.season_number
    if not number:
        return False
    patterns = [
        rf"^\s*#?0*{number}\s*[.:)|–—-]",
        rf"\b(?:ep\.?|episode|folge|épisode|episodio)\s*#?\s*0*{number}\b",
        rf"#0*{number}\b",
    ]
    if season:
        patterns.append(rf"\bS0*{season}\s*E0*{number}\b")
    return any(re.search(p, episode.title, re.IGNORECASE) for p in patterns)


def _played_seconds(episode: Episode) -> int | None:
    """How long the uploaded file plays; None for audio hosted elsewhere or unreadable."""
    return stored_audio_seconds(episode.audio_file) if episode.audio_file else None


def _enclosure_problems(episode: Episode) -> list[str]:
    if not episode.has_audio:
        return ["no audio file"]
    problems = []
    if not episode.audio_size:
        problems.append("audio size in bytes is unknown")
    if not episode.duration:
        problems.append("duration is unknown")
    elif (played := _played_seconds(episode)) and abs(played - episode.duration) > 2:
        # Two seconds: rounding and the encoder's padding, never a real disagreement.
        problems.append(
            f"duration is {format_duration(episode.duration)} but the audio file plays for "
            f"{format_duration(played)}: apps show the wrong length, and chapters or timestamps "
            "past the end seek nowhere (correct the duration, or upload the right file)"
        )
    extension = PurePosixPath(urlsplit(episode.audio_src).path).suffix.lower()
    if problem := rules.enclosure_problem(extension, episode.audio_mime_type):
        problems.append(problem)
    return problems


def episode_problems(episode: Episode) -> list[Problem]:
    show = episode.show

    def problem(level: str, message: str) -> Problem:
        return Problem(level, show.slug, message, episode.slug, episode.pk)

    found = [problem(ERROR, message) for message in _enclosure_problems(episode)]
    if not episode.title.strip():
        found.append(problem(ERROR, "no title"))
    elif _title_has_number(episode):
        found.append(
            problem(WARNING, "title contains its own episode number; apps show the number")
        )
    if size := rules.description_bytes_over(episode.summary):
        found.append(problem(ERROR, f"summary is {size:,} bytes; at most {LIMIT}"))
    if not (episode.summary.strip() or episode.show_notes.strip()):
        found.append(problem(WARNING, "no summary or show notes: apps show an empty description"))
    if (
        show.show_type == Show.ShowType.SERIAL
        and episode.episode_type == Episode.EpisodeType.FULL
        and not episode.episode_number
    ):
        found.append(problem(ERROR, "serial show: every full episode needs an episode number"))
    if episode.explicit and not show.explicit:
        found.append(problem(WARNING, "marked explicit while the show is not"))
    if episode.cover_art:
        found += [problem(ERROR, message) for message in artwork_problems(episode.cover_art)]
    if episode.transcript_src and episode.transcript_type not in rules.TRANSCRIPT_TYPES:
        found.append(problem(WARNING, f"transcript type {episode.transcript_type} is not known"))
    found += [problem(level, message) for level, message in podcasting20.episode_problems(episode)]
    return found


def _shared_problems(show: Show, episodes: Iterable[Episode]) -> list[Problem]:
    """Rules across episodes: guids and numbers must not repeat."""
    guids, numbers = defaultdict(list), defaultdict(list)
    for episode in episodes:
        guids[episode.guid.strip().lower()].append(episode)
        if episode.episode_number and episode.episode_type == Episode.EpisodeType.FULL:
            numbers[(episode.season_number, episode.episode_number)].append(episode)
    found = []
    for same in guids.values():
        for episode in same[1:] if len(same) > 1 else []:
            message = f"guid repeats that of “{same[0].slug}” (apps skip one of them)"
            found.append(Problem(ERROR, show.slug, message, episode.slug, episode.pk))
    for (season, number), same in numbers.items():
        for episode in same[1:] if len(same) > 1 else []:
            label = f"season {season} episode {number}" if season else f"episode {number}"
            message = f"{label} is also “{same[0].slug}”"
            found.append(Problem(WARNING, show.slug, message, episode.slug, episode.pk))
    return found


def _feed_episodes(show: Show) -> list[Episode]:
    """Published and scheduled episodes: those in the feed now or soon."""
    episodes = list(
        show.episodes.filter(status=Episode.Status.PUBLISHED)
        .prefetch_related(*ITEM_PREFETCH)
        .order_by("pub_date", "id")
    )
    for episode in episodes:
        episode.show = show
    return episodes


def check_show(show: Show) -> list[Problem]:
    episodes = _feed_episodes(show)
    found = show_problems(show)
    if not episodes:
        found.append(Problem(WARNING, show.slug, "no published episodes: Apple needs one"))
    for episode in episodes:
        found += episode_problems(episode)
    return found + _shared_problems(show, episodes)


def check_episode(episode: Episode) -> list[Problem]:
    """The episode's own problems and its clashes with the show's other episodes."""
    others = [e for e in _feed_episodes(episode.show) if e.pk != episode.pk]
    shared = _shared_problems(episode.show, [*others, episode])
    return episode_problems(episode) + [p for p in shared if p.episode_id == episode.pk]
