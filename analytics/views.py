"""The measured enclosure path: record the request, then serve the audio or send it on."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from analytics.counting import record_download
from episodes.models import Episode
from podcast.media import absolute_url
from podcast.views import serve_media


@require_safe
def enclosure(request: HttpRequest, episode_id: int, filename: str) -> HttpResponse:
    """A published episode's audio: byte ranges as /media/ serves them, or a 302 to storage/CDN.

    The file name in the URL is only for apps that look at it; an old name (the audio was
    replaced since) still gets the current audio.
    """
    episode = (
        Episode.objects.published()
        .filter(pk=episode_id)
        .only("audio_file", "audio_url", "status", "pub_date")
        .first()
    )
    if episode is None or not episode.has_audio:
        raise Http404("No such episode")
    if episode.audio_file and isinstance(episode.audio_file.storage, FileSystemStorage):
        response = serve_media(request, episode.audio_file.name)
    else:
        response = HttpResponseRedirect(absolute_url(episode.audio_src))
        # Every request must reach us to be counted: no cache may keep the redirect.
        response["Cache-Control"] = "no-store"
    if settings.ANALYTICS_ENABLED:
        record_download(request, response, episode.pk)
    return response
