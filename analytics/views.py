"""The measured enclosure path: record the request, then serve the audio or send it on."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from analytics.counting import record_download
from episodes.models import Episode
from podcast.cors import public_cors
from podcast.enclosures import audio_filename
from podcast.media import absolute_url
from podcast.views import serve_media

# How long a process trusts what it read about an episode's audio. Each lookup is most of what
# measuring costs an audio request, and apps fetch the same few new episodes over and over.
# Publication times are checked on every request; an unpublished episode stops being served
# here within this many seconds, and a replaced file (its new name is in the URL) at once.
KNOWN_SECONDS = 30


@dataclass(frozen=True)
class Audio:
    episode: Episode  # its status and publication time only
    local_name: str  # the uploaded file's storage name, when the app serves it itself
    url: str  # where to send the app otherwise
    filename: str
    read_at: float


_known: dict[int, Audio] = {}


def _audio(episode_id: int, filename: str) -> Audio | None:
    audio = _known.get(episode_id)
    fresh = audio and time.monotonic() - audio.read_at < KNOWN_SECONDS
    if fresh and audio.filename == filename:
        return audio
    episode = (
        Episode.objects.filter(pk=episode_id)
        .only("audio_file", "audio_url", "status", "pub_date")
        .first()
    )
    if episode is None or not episode.has_audio:
        _known.pop(episode_id, None)
        return None
    local = episode.audio_file and isinstance(episode.audio_file.storage, FileSystemStorage)
    name = episode.audio_file.name if episode.audio_file else ""
    audio = Audio(
        episode=episode,
        local_name=name if local else "",
        url="" if local else absolute_url(episode.audio_src),
        filename=audio_filename(name, episode.audio_url),
        read_at=time.monotonic(),
    )
    _known[episode_id] = audio
    return audio


@public_cors  # web podcast apps read the audio from their own origin, as from /media/
@require_safe
def enclosure(request: HttpRequest, episode_id: int, filename: str) -> HttpResponse:
    """A published episode's audio: byte ranges as /media/ serves them, or a 302 to storage/CDN.

    The file name in the URL is only for apps that look at it; an old name (the audio was
    replaced since) still gets the current audio.
    """
    audio = _audio(episode_id, filename)
    # The model's own test of "published", against the clock of this request.
    if audio is None or not audio.episode.is_published:
        raise Http404("No such episode")
    if audio.local_name:
        response = serve_media(request, audio.local_name)
    else:
        response = HttpResponseRedirect(audio.url)
        # Every request must reach us to be counted: no cache may keep the redirect.
        response["Cache-Control"] = "no-store"
    if settings.ANALYTICS_ENABLED:
        record_download(request, response, episode_id)
    return response
