"""Episode search: PostgreSQL full text, ranked, with highlighted snippets; icontains elsewhere."""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from episodes.models import Appearance, Episode
from podcast.text import strip_control_chars

MAX_QUERY_LENGTH = 200
CONFIG = "english"
# Private-use characters editors never type: the headline marks them, escaping leaves them alone,
# and only then do they become <mark>, so the marks are the only HTML in a snippet.
_START, _STOP = "\ue000", "\ue001"


def search_vector() -> SearchVector:
    """The searched document; migration 0003_search builds its GIN index from this expression."""
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector("show_notes", weight="C", config=CONFIG)
        + SearchVector("transcript_text", weight="D", config=CONFIG)
    )


def clean_query(raw: str) -> str:
    return " ".join(strip_control_chars(raw or "").split())[:MAX_QUERY_LENGTH]


def search_episodes(queryset: QuerySet[Episode], text: str) -> QuerySet[Episode]:
    """Matching episodes, best first; on PostgreSQL each carries a `snippet` with <mark>s."""
    if connection.vendor == "postgresql":
        return _full_text(queryset, text)
    guests = Appearance.objects.filter(episode=OuterRef("pk"), guest__name__icontains=text)
    return queryset.filter(
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(show_notes__icontains=text)
        | Q(transcript_text__icontains=text)
        | Exists(guests)
    ).newest_first()


def _full_text(queryset: QuerySet[Episode], text: str) -> QuerySet[Episode]:
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    guest_query = SearchQuery(text, search_type="websearch", config="simple")
    guests = (
        Appearance.objects.filter(episode=OuterRef("pk"))
        .annotate(document=SearchVector("guest__name", config="simple"))
        .filter(document=guest_query)
    )
    return (
        queryset.annotate(document=search_vector())
        .filter(Q(document=query) | Exists(guests))
        .annotate(
            rank=SearchRank(search_vector(), query),
            snippet=SearchHeadline(
                Concat(
                    "summary",
                    Value(" "),
                    "show_notes",
                    Value(" "),
                    "transcript_text",
                    output_field=TextField(),
                ),
                query,
                config=CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
            ),
        )
        .order_by("-rank", "-pub_date", "-id")
    )


def highlight(snippet: str) -> SafeString:
    """Escape a headline, then turn its markers into balanced <mark> elements."""
    parts, open_mark = [], False
    for piece in re.split(f"([{_START}{_STOP}])", str(escape(snippet or ""))):
        if piece in (_START, _STOP):
            if (piece == _START) != open_mark:
                parts.append("</mark>" if open_mark else "<mark>")
                open_mark = not open_mark
        else:
            parts.append(piece)
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - all text is escaped; only our marks are HTML
