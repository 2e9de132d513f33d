import logging
import os
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.db.utils import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import condition, require_POST, require_safe

from episodes.feeds import FEED_FORMAT, PodcastFeedGenerator, build_feed
from episodes.forms import SoundbiteForm
from episodes.freshness import Stamp, feed_stamp
from episodes.models import Episode, Show, Soundbite, Tag
from episodes.pagecache import show_freshness, tag_freshness
from episodes.search import clean_query, search_episodes
from guests.models import Guest
from podcast.cors import public_cors
from podcast.pagecache import ignore_param, page_number, site_freshness, stamped_page, stripped

logger = logging.getLogger(__name__)

FEED_RETRY_AFTER = 120  # seconds
FEED_BYTES_SECONDS = 60 * 60
MAX_SEASON = 2**31 - 1


def _paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    paginator = Paginator(queryset, settings.EPISODES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such page") from exc


@require_safe
@stamped_page(site_freshness)
def home(request: HttpRequest) -> HttpResponse:
    shows = list(Show.objects.prefetch_related("links", "podroll")[:2])
    if len(shows) == 1:
        return _show_page(request, shows[0])
    return TemplateResponse(
        request, "episodes/home.html", {"shows": Show.objects.prefetch_related("links")}
    )


@require_safe
@stamped_page(show_freshness)
def show_detail(request: HttpRequest, show: str) -> TemplateResponse:
    shows = Show.objects.prefetch_related("links", "podroll")
    return _show_page(request, get_object_or_404(shows, slug=show))


def _show_page(request: HttpRequest, show: Show) -> TemplateResponse:
    latest = Episode.objects.published().filter(show=show).for_cards().newest_first()[:6]
    context = {"show": show, "episodes": latest}
    return TemplateResponse(request, "episodes/show_detail.html", context)


PAGED = {"page": page_number}
FILTER_NOUNS = {"season": "season", "tag": "topic", "guest": "guest"}


def _choice(request: HttpRequest, name: str, allowed: dict, refused: list[str]) -> object | None:
    """The chosen filter value when it is one of the offered ones; others are noted in `refused`."""
    value = request.GET.get(name, "").strip()
    if value and value not in allowed:
        shown = value if len(value) <= 40 else value[:40] + "…"
        refused.append(f"no {FILTER_NOUNS[name]} “{shown}”")
    return allowed.get(value)


@require_safe
@stamped_page(show_freshness, {"season": stripped, "tag": stripped, "guest": stripped, **PAGED})
def episode_list(request: HttpRequest, show: str) -> TemplateResponse:
    show_obj = get_object_or_404(Show, slug=show)
    published = Episode.objects.published().filter(show=show_obj)
    seasons = sorted(
        set(published.exclude(season_number=None).values_list("season_number", flat=True))
    )
    tags = {t.slug: t for t in Tag.objects.filter(episodes__in=published).distinct()}
    guests = {
        g.slug: g for g in Guest.objects.filter(appearances__episode__in=published).distinct()
    }
    refused: list[str] = []
    season = _choice(request, "season", {str(n): n for n in seasons}, refused)
    tag = _choice(request, "tag", tags, refused)
    guest = _choice(request, "guest", guests, refused)
    # A filter that matches nothing offered is an address that does not exist: say so (404),
    # rather than quietly listing everything as if it had been applied.
    episodes = published.none() if refused else published
    if season:
        episodes = episodes.filter(season_number=season)
    if tag:
        episodes = episodes.filter(tags=tag)
    if guest:
        episodes = episodes.filter(appearances__guest=guest).distinct()
    return TemplateResponse(
        request,
        "episodes/episode_list.html",
        {
            "show": show_obj,
            "page_obj": _paginate(request, episodes.for_cards().newest_first()),
            "seasons": seasons,
            "tags": sorted(tags.values(), key=lambda t: t.name.lower()),
            "guests": sorted(guests.values(), key=lambda g: g.name.lower()),
            "selected": {"season": season, "tag": tag, "guest": guest},
            "filtered": bool(season or tag or guest or refused),
            "refused": refused,
        },
        status=404 if refused else 200,
    )


@require_safe
@stamped_page(show_freshness, PAGED)
def season_detail(request: HttpRequest, show: str, number: int) -> TemplateResponse:
    if number > MAX_SEASON:  # beyond the column's range the database would raise, not miss
        raise Http404("No such season")
    show_obj = get_object_or_404(Show, slug=show)
    episodes = Episode.objects.published().filter(show=show_obj, season_number=number)
    page = _paginate(request, episodes.for_cards().newest_first())
    if not page.object_list:
        raise Http404("No such season")
    return TemplateResponse(
        request,
        "episodes/season_detail.html",
        {"show": show_obj, "season": number, "page_obj": page},
    )


@require_safe
@stamped_page(show_freshness)
def episode_detail(request: HttpRequest, show: str, slug: str) -> TemplateResponse:
    episode = get_object_or_404(
        Episode.objects.visible_to(request.user)
        .for_cards()
        .prefetch_related("links", "chapters", "soundbites", "alternate_enclosures"),
        show__slug=show,
        slug=slug,
    )
    return TemplateResponse(
        request,
        "episodes/episode_detail.html",
        {
            "episode": episode,
            "show": episode.show,
            "previous": episode.previous(),
            "next": episode.next(),
        },
    )


@require_POST
@permission_required("episodes.add_soundbite", raise_exception=True)
def add_soundbite(request: HttpRequest, show: str, slug: str) -> HttpResponse:
    """An editor marks a soundbite with the player on the episode page itself."""
    episode = get_object_or_404(Episode, show__slug=show, slug=slug)
    form = SoundbiteForm(request.POST, instance=Soundbite(episode=episode))
    if form.is_valid():
        bite = form.save()
        messages.success(request, f"Soundbite “{bite}” saved: it is in the feed now.")
    else:
        problems = " ".join(message for errors in form.errors.values() for message in errors)
        messages.error(request, f"The soundbite was not saved. {problems}")
    return redirect(episode.get_absolute_url() + "#soundbites")


@public_cors
@require_safe
def chapters(request: HttpRequest, show: str, slug: str) -> JsonResponse:
    """Podcast Index JSON chapters (application/json+chapters)."""
    episode = get_object_or_404(Episode.objects.published(), show__slug=show, slug=slug)
    items = [
        {"startTime": c.start_time, "title": c.title, **({"url": c.url} if c.url else {})}
        for c in episode.chapters.all()
    ]
    if not items:
        raise Http404("This episode has no chapters")
    return JsonResponse(
        {"version": "1.2.0", "chapters": items},
        content_type="application/json+chapters",
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@stamped_page(tag_freshness, PAGED)
def tag_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    tag = get_object_or_404(Tag.objects.visible_to(request.user), slug=slug)
    episodes = Episode.objects.published().filter(tags=tag).for_cards().newest_first()
    return TemplateResponse(
        request, "episodes/tag_detail.html", {"tag": tag, "page_obj": _paginate(request, episodes)}
    )


@require_safe
@stamped_page(site_freshness, {"q": clean_query, **PAGED})
def search(request: HttpRequest) -> TemplateResponse:
    query = clean_query(request.GET.get("q", ""))
    page = None
    if query:
        found = search_episodes(Episode.objects.published(), query)
        page = _paginate(request, found.for_cards())
        if not page.paginator.count:
            # Random words find nothing: such pages are cheap to build and would fill the cache.
            ignore_param(request, "q")
    return TemplateResponse(request, "episodes/search.html", {"query": query, "page_obj": page})


# This process's copy of the newest feed of each show, keyed like the shared cache (by the
# database stamp), so it can never be stale: a poll then costs one query and no cache transfer.
_process_feeds: dict[str, tuple[str, bytes]] = {}


def _feed_state(request: HttpRequest, show: str) -> tuple[Stamp, str] | None:
    """The show's stamp and new feed URL, read once per request (one indexed query)."""
    if not hasattr(request, "feed_state"):
        request.feed_state = feed_stamp(show)
    return request.feed_state


def _versioned_etag(stamp: Stamp) -> str:
    """The stamp's ETag with the feed format in it: a release that changes the XML is news."""
    return f'"{FEED_FORMAT}-{stamp.etag.strip(chr(34))}"'


def _feed_etag(request: HttpRequest, show: str) -> str | None:
    state = _feed_state(request, show)
    return _versioned_etag(state[0]) if state else None


def _feed_last_modified(request: HttpRequest, show: str) -> datetime | None:
    state = _feed_state(request, show)
    return state[0].http_last_modified if state else None


def _feed_response(content: bytes) -> HttpResponse:
    return HttpResponse(content, content_type=PodcastFeedGenerator.content_type)


@condition(etag_func=_feed_etag, last_modified_func=_feed_last_modified)
def _fresh_feed(request: HttpRequest, show: str) -> HttpResponse:
    state = _feed_state(request, show)
    if state is None:
        raise Http404("No such show")
    stamp, _ = state
    key = f"feed:{FEED_FORMAT}:{show}:{stamp.etag}"
    held = _process_feeds.get(show)
    if held is not None and held[0] == key:
        return _feed_response(held[1])
    content = cache.get(key)
    if content is None:
        content = build_feed(show, stamp.last_modified, request)
        if content is None:  # deleted since the stamp was read
            raise Http404("No such show")
        # Each edit leaves the previous copy behind under its old stamp; let those go soon.
        cache.set(key, content, timeout=FEED_BYTES_SECONDS)
        cache.set(f"feed:{FEED_FORMAT}:{show}:last-good", (content, stamp), timeout=None)
        _write_snapshot(show, content)
    _process_feeds[show] = (key, content)
    return _feed_response(content)


def _snapshot_path(show: str) -> Path:
    return Path(settings.FEED_SNAPSHOT_ROOT) / f"{show}.xml"


def _write_snapshot(show: str, content: bytes) -> None:
    """Keep the last good feed on disk too, for processes whose cache never held it."""
    path = _snapshot_path(show)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(content)
        partial.replace(path)  # atomic: a reader sees the old copy or the new, never half
    except OSError as exc:
        logger.warning("Feed snapshot of %s not written: %s", show, exc)


def _last_good_feed(show: str) -> HttpResponse:
    """During a database outage: the last feed built, else 503 (never 403/410: apps unsubscribe)."""
    saved = cache.get(f"feed:{FEED_FORMAT}:{show}:last-good")
    if saved is None:
        try:
            return _feed_response(_snapshot_path(show).read_bytes())
        except OSError:
            pass
        response = HttpResponse(
            "The feed is briefly unavailable.", status=503, content_type="text/plain"
        )
        response["Retry-After"] = str(FEED_RETRY_AFTER)
        return response
    content, stamp = saved
    response = _feed_response(content)
    response["ETag"] = _versioned_etag(stamp)
    response["Last-Modified"] = http_date(stamp.last_modified.timestamp())
    return response


def feed_not_modified(request: HttpRequest, show: str) -> HttpResponse | None:
    """The `304` for a poller whose copy is current, else None; one indexed query."""
    state = _feed_state(request, show)
    if state is None or state[1]:  # no such show, or moved: the view answers
        return None
    moment = _feed_last_modified(request, show)
    last_modified = int(moment.timestamp()) if moment else None
    headers = HttpResponse(headers={"ETag": _feed_etag(request, show)})
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    patch_cache_control(headers, public=True, max_age=settings.FEED_CACHE_SECONDS)
    response = get_conditional_response(
        request, etag=headers["ETag"], last_modified=last_modified, response=headers
    )
    return None if response is headers else response


@public_cors
@require_safe
def feed(request: HttpRequest, show: str) -> HttpResponse:
    """The show's podcast feed, built once per change and answered with 304 when unchanged.

    Once the show has moved (`new_feed_url`), this URL answers 301 to the new feed, before any
    validator, so that every poller follows it; the built feed still names the new URL.
    """
    try:
        state = _feed_state(request, show)
        if state is not None and state[1]:
            return HttpResponsePermanentRedirect(state[1])
        response = _fresh_feed(request, show)
    except (OperationalError, InterfaceError):
        logger.exception("Feed of %s served from cache: database unavailable", show)
        response = _last_good_feed(show)
    if response.status_code in (200, 304):
        patch_cache_control(response, public=True, max_age=settings.FEED_CACHE_SECONDS)
    return response
