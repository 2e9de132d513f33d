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
from django.db.models.functions import Concat, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from episodes.models import Appearance, Episode
from podcast.text import strip_control_chars

MAX_QUERY_LENGTH = 200
HEADLINE_MAX_CHARS = 20_000
CONFIG = "english"
# Private-use characters editors never type: the headline marks them, escaping leaves them alone,
# and only then do they become <mark>, so the marks are the only HTML in a snippet.
_START, _STOP = "\ue000", "\ue001"


def search_vector() -> SearchVector:
    """The searched document; the episodes migration builds its GIN index from this expression."""
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector("show_notes", weight="C", config=CONFIG)
        + SearchVector("transcript_text", weight="D", config=CONFIG)
    )


def clean_query(raw: str) -> str:
    return " ".join(strip_control_chars(raw or "").split())[:MAX_QUERY_LENGTH]


MAX_TERMS = 16
# A word (hyphens and apostrophes inside it), a quoted phrase, or an operator in front of one.
_TERM = re.compile(r'"([^"]*)"|(-?)(\w+(?:[-\'’]\w+)*)')
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def websearch_text(query: str) -> str:
    """The query in a form websearch_to_tsquery always takes: what a searcher meant, kept.

    PostgreSQL raises ("tsquery stack too small") on runs of operators such as 33 hyphens, so
    only words, quoted phrases, one `-` before a word and `or` between terms pass, at most
    MAX_TERMS of them; stray quotes, brackets and operators are dropped.
    """
    terms: list[str] = []
    for match in _TERM.finditer(query):
        phrase, minus, word = match.groups()
        if phrase is not None:
            words = _WORD.findall(phrase)
            term = f'"{" ".join(words)}"' if words else ""
        elif word.lower() == "or":
            if terms and terms[-1] != "or":
                terms.append("or")
            continue
        else:
            term = minus + word
        if term:
            terms.append(term)
        if len([t for t in terms if t != "or"]) >= MAX_TERMS:
            break
    while terms and terms[-1] == "or":
        terms.pop()
    return " ".join(terms)


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
    text = websearch_text(text)
    if not text:
        return queryset.none()
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    guest_query = SearchQuery(text, search_type="websearch", config="simple")
    # Two index-backed subqueries (the GIN index, then guest names) rather than one OR over
    # the row, which would make PostgreSQL compute every episode's document.
    documents = Episode.objects.annotate(document=search_vector()).filter(document=query)
    guests = Appearance.objects.annotate(
        document=SearchVector("guest__name", config="simple")
    ).filter(document=guest_query)
    return (
        queryset.filter(Q(pk__in=documents.values("pk")) | Q(pk__in=guests.values("episode_id")))
        .annotate(
            rank=SearchRank(search_vector(), query),
            snippet=SearchHeadline(
                # ts_headline reads the whole text it is given: a long transcript must not make
                # each result of a listener's search cost seconds.
                Left(
                    Concat(
                        "summary",
                        Value(" "),
                        "show_notes",
                        Value(" "),
                        "transcript_text",
                        output_field=TextField(),
                    ),
                    HEADLINE_MAX_CHARS,
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
