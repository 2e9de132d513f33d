"""The embeddable player: pages other sites may frame, the oEmbed endpoint, and the iframe code.

Only these routes may be framed (`frame-ancestors *`, no X-Frame-Options); every other page keeps
the site-wide DENY.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from episodes.models import Episode, Show, ShowRedirect
from episodes.pagecache import show_freshness
from episodes.templatetags.podcast_tags import artwork_url
from podcast.cors import public_cors
from podcast.pagecache import stamped_page

WIDTH, HEIGHT = 600, 420  # the iframe's size: room for the player and the chapters button
MIN_WIDTH = 240


def framable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any site may frame this view; the rest of the policy stays as strict as everywhere else."""
    policy = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}
    return xframe_options_exempt(csp_override(policy)(view))


def embed_url(episode: Episode | None = None, show: Show | None = None) -> str:
    if episode is not None:
        path = reverse("embed", kwargs={"show": episode.show.slug, "slug": episode.slug})
    else:
        path = reverse("embed_latest", kwargs={"show": show.slug})
    return settings.SITE_URL + path


def iframe_code(url: str, title: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The code another site pastes; its inline style is theirs to allow, not ours."""
    return format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy" '
        'allow="autoplay; clipboard-write; encrypted-media" style="border: 0; max-width: 100%;">'
        "</iframe>",
        url,
        title,
        width,
        height,
    )


def _embed_page(request: HttpRequest, episode: Episode) -> TemplateResponse:
    context = {
        "episode": episode,
        "show": episode.show,
        "share_url": settings.SITE_URL + episode.get_absolute_url(),
    }
    return TemplateResponse(request, "episodes/embed.html", context)


def _playable(show: str) -> QuerySet[Episode]:
    return (
        Episode.objects.published()
        .filter(show__slug=show)
        .exclude(audio_file="", audio_url="")
        .select_related("show")
        .prefetch_related("chapters")
    )


def _current_slug(show: str) -> str | None:
    """The slug a renamed show has now, for its old one."""
    return ShowRedirect.objects.filter(slug=show).values_list("show__slug", flat=True).first()


def _moved(name: str, show: str, **kwargs: str) -> HttpResponsePermanentRedirect:
    """Embeds live on other sites for years: a renamed show's old address follows it (301)."""
    current = _current_slug(show)
    if current is None:
        raise Http404("No such episode to embed")
    return HttpResponsePermanentRedirect(reverse(name, kwargs={"show": current, **kwargs}))


@require_safe
@framable
@stamped_page(show_freshness)
def embed(request: HttpRequest, show: str, slug: str) -> HttpResponse:
    episode = _playable(show).filter(slug=slug).first()
    if episode is None:
        return _moved("embed", show, slug=slug)
    return _embed_page(request, episode)


@require_safe
@framable
@stamped_page(show_freshness)
def embed_latest(request: HttpRequest, show: str) -> HttpResponse:
    """The show's newest episode: a page that embeds it always plays what is new."""
    episode = _playable(show).newest_first().first()
    if episode is None:
        return _moved("embed_latest", show)
    return _embed_page(request, episode)


def _size(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    try:
        wanted = int(request.GET.get(name, ""))
    except ValueError:
        return default
    return max(minimum, min(default, wanted))


@public_cors
@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed (https://oembed.com) for episode and show pages: a rich type with the iframe."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only JSON is offered.", status=501, content_type="text/plain")
    url = urlsplit(request.GET.get("url", ""))
    site = urlsplit(settings.SITE_URL)
    if (url.scheme, url.netloc) != (site.scheme, site.netloc):
        raise Http404("Not a page of this site")
    try:
        match = resolve(url.path)
    except Resolver404 as exc:
        raise Http404("No such page") from exc
    slug = match.kwargs.get("show", "")
    if match.url_name in ("detail", "show") and not Show.objects.filter(slug=slug).exists():
        slug = _current_slug(slug) or slug
    if match.url_name == "detail":
        episode = get_object_or_404(_playable(slug), slug=match.kwargs["slug"])
        show, title, src = episode.show, episode.title, embed_url(episode)
        frame_title = f"{episode.title} · {show.title}"
    elif match.url_name == "show":
        show = get_object_or_404(Show, slug=slug)
        episode, title, src = None, f"{show.title}: the latest episode", embed_url(show=show)
        frame_title = title
    else:
        raise Http404("Only episode and show pages can be embedded")
    width = _size(request, "maxwidth", WIDTH, MIN_WIDTH)
    height = _size(request, "maxheight", HEIGHT, 120)
    data = {
        "version": "1.0",
        "type": "rich",
        "provider_name": show.title,
        "provider_url": settings.SITE_URL + show.get_absolute_url(),
        "title": title,
        "author_name": show.author,
        "author_url": settings.SITE_URL + show.get_absolute_url(),
        "html": iframe_code(src, frame_title, width, height),
        "width": width,
        "height": height,
        "cache_age": settings.PAGE_CACHE_SECONDS,
    }
    if thumbnail := artwork_url(episode or show):
        data |= {"thumbnail_url": thumbnail, "thumbnail_width": 1400, "thumbnail_height": 1400}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
