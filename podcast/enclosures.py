"""The audio URLs the feed, the pages and the players give out: measured, or the file's own.

Shared by the feed (episodes) and the measured path (analytics), so it lives here and names the
analytics path by its URL name only.
"""

import posixpath
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db.models import Model
from django.urls import reverse

from podcast.media import absolute_url


def _filename(episode: Model) -> str:
    """The audio's own file name, so the URL still ends in .mp3/.m4a as apps expect."""
    name = episode.audio_file.name if episode.audio_file else urlsplit(episode.audio_url).path
    return posixpath.basename(name) or "audio.mp3"


def audio_url(episode: Model) -> str:
    """Where the site's player and download link point: the measured path of published episodes.

    Drafts and scheduled episodes (seen only by staff) keep the file's own URL: nobody is counted.
    """
    if not (settings.ANALYTICS_ENABLED and episode.has_audio and episode.is_published):
        return episode.audio_src
    return reverse(
        "analytics:enclosure",
        kwargs={"episode_id": episode.pk, "filename": quote(_filename(episode))},
    )


def enclosure_url(episode: Model) -> str:
    """The feed's absolute enclosure URL."""
    return absolute_url(audio_url(episode))
