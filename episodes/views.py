from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from episodes.models import Appearance, Episode, Show, Tag


def _episode_cards(queryset: QuerySet[Episode]) -> QuerySet[Episode]:
    """Everything a list of episodes shows, fetched in a fixed number of queries."""
    return queryset.select_related("show").prefetch_related(
        "tags",
        Prefetch("appearances", queryset=Appearance.objects.select_related("guest")),
    )


def _paginate(request: HttpRequest, queryset: QuerySet) -> object:
    paginator = Paginator(queryset, settings.EPISODES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such page") from exc


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    shows = list(Show.objects.all()[:2])
    if len(shows) == 1:
        return show_detail(request, shows[0].slug)
    return TemplateResponse(request, "episodes/home.html", {"shows": Show.objects.all()})


@require_safe
def show_detail(request: HttpRequest, show: str) -> TemplateResponse:
    show_obj = get_object_or_404(Show.objects.prefetch_related("links"), slug=show)
    latest = _episode_cards(Episode.objects.published().filter(show=show_obj)).newest_first()[:6]
    return TemplateResponse(
        request, "episodes/show_detail.html", {"show": show_obj, "episodes": latest}
    )


@require_safe
def episode_list(request: HttpRequest, show: str) -> TemplateResponse:
    show_obj = get_object_or_404(Show, slug=show)
    episodes = _episode_cards(Episode.objects.published().filter(show=show_obj)).newest_first()
    return TemplateResponse(
        request,
        "episodes/episode_list.html",
        {"show": show_obj, "page_obj": _paginate(request, episodes)},
    )


@require_safe
def episode_detail(request: HttpRequest, show: str, slug: str) -> TemplateResponse:
    # Staff preview drafts and scheduled episodes; everyone else sees only published ones.
    visible = Episode.objects.all() if request.user.is_staff else Episode.objects.published()
    episode = get_object_or_404(
        visible.select_related("show").prefetch_related(
            "tags",
            "links",
            "chapters",
            Prefetch("appearances", queryset=Appearance.objects.select_related("guest")),
        ),
        show__slug=show,
        slug=slug,
    )
    return TemplateResponse(request, "episodes/episode_detail.html", {"episode": episode})


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
def tag_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    tag = get_object_or_404(Tag, slug=slug)
    episodes = _episode_cards(Episode.objects.published().filter(tags=tag)).newest_first()
    return TemplateResponse(
        request, "episodes/tag_detail.html", {"tag": tag, "page_obj": _paginate(request, episodes)}
    )


@require_safe
def feed(request: HttpRequest, show: str) -> HttpResponse:
    """Placeholder until the feed module lands: sends apps to the show page."""
    return redirect("episodes:show", show=show)
