"""The audio URLs the feed, the pages and the players give out: measured, or the file's own.

Shared by the feed (episodes) and the measured path (analytics), so it lives here and names the
analytics path by its URL name only.
"""

import posixpath
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db.models import Model
from django.urls import reverse

from podcast.media import absolute_url


def audio_filename(file_name: str, url: str) -> str:
    """The audio's own file name (of the upload, else of the external URL), so the measured URL
    still ends in .mp3/.m4a as apps expect."""
    return posixpath.basename(file_name or urlsplit(url).path) or "audio.mp3"


def measured_paths() -> Callable[[int, str], str]:
    """The measured path of an episode id and audio file name; one `reverse` serves a whole feed."""
    marker_id, marker_name = 918273645, "file-name-marker"
    path = reverse("analytics:enclosure", kwargs={"episode_id": marker_id, "filename": marker_name})
    head, _, rest = path.partition(str(marker_id))
    middle, _, tail = rest.partition(marker_name)
    # The name is quoted here, once: `reverse` would quote it again.
    return lambda episode_id, name: f"{head}{episode_id}{middle}{quote(name)}{tail}"


def audio_url(episode: Model) -> str:
    """Where the site's player and download link point: the measured path of published episodes.

    Drafts and scheduled episodes (seen only by staff) keep the file's own URL: nobody is counted.
    """
    if not (settings.ANALYTICS_ENABLED and episode.has_audio and episode.is_published):
        return episode.audio_src
    name = audio_filename(episode.audio_file.name, episode.audio_url)
    return measured_paths()(episode.pk, name)


def enclosure_url(episode: Model) -> str:
    """The feed's absolute enclosure URL."""
    return absolute_url(audio_url(episode))
