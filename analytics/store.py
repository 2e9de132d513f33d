"""From the buffer into the database, and from raw rows into the daily tables the pages read."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from analytics import buffer
from analytics.agents import classify, reported_subscribers, web_app
from analytics.models import (
    DailyBreakdown,
    DailyDownloads,
    Dimension,
    Download,
    FeedPoll,
)
from episodes.models import Episode, Show

UNKNOWN = "Unknown"


def flush() -> set[date]:
    """Store everything buffered; the UTC days that got new rows (to be rolled up)."""
    days: set[date] = set()
    for events in buffer.drain():
        days |= store(events)
    buffer.forget_old_salts(timezone.now().date())
    return days


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def store(events: list[list]) -> set[date]:
    """Write one batch: idempotent, so a batch stored twice after a crash changes nothing."""
    events = sorted(events, key=lambda event: event[1])
    downloads = [e for e in events if e[0] == "d"]
    polls = [e for e in events if e[0] == "p"]
    shows_of = dict(
        Episode.objects.filter(pk__in={e[2] for e in downloads}).values_list("pk", "show_id")
    )
    rows: dict[tuple, Download] = {}
    for _, epoch, episode_id, listener, user_agent, referrer in downloads:
        agent = classify(user_agent)
        if agent.is_bot or episode_id not in shows_of:
            continue
        moment = _moment(epoch)
        key = (episode_id, moment.date(), listener)
        if key in rows:  # the day's first request is the download
            continue
        rows[key] = Download(
            day=moment.date(),
            time=moment,
            show_id=shows_of[episode_id],
            episode_id=episode_id,
            listener=listener,
            agent_kind=agent.kind,
            app=agent.name[:100],
            device=agent.device[:100],
            device_category=agent.device_category,
            referrer=web_app(referrer)[:100] if agent.kind == "browser" else "",
        )
    show_ids = dict(Show.objects.filter(slug__in={e[2] for e in polls}).values_list("slug", "pk"))
    poll_rows: dict[tuple, FeedPoll] = {}
    for _, epoch, slug, poller, user_agent in polls:
        agent = classify(user_agent)
        subscribers = reported_subscribers(user_agent)
        # Aggregators that report their subscribers are mostly listed as bots: they count here.
        if slug not in show_ids or (agent.is_bot and subscribers is None):
            continue
        moment = _moment(epoch)
        name = agent.name or user_agent.split("/", 1)[0].strip()[:100] or UNKNOWN
        poll_rows[(show_ids[slug], moment.date(), poller)] = FeedPoll(
            day=moment.date(),
            time=moment,
            show_id=show_ids[slug],
            poller=poller,
            agent_kind=agent.kind,
            app=name[:100],
            subscribers=subscribers,
        )
    with transaction.atomic():
        Download.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=1000)
        FeedPoll.objects.bulk_create(
            poll_rows.values(),
            update_conflicts=True,
            unique_fields=["show", "day", "poller"],
            update_fields=["time", "subscribers", "app", "agent_kind"],
            batch_size=1000,
        )
    return {key[1] for key in rows}


def oldest_kept_day(today: date | None = None) -> date:
    today = today or timezone.now().date()
    return today - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)


def rollup(days: set[date] | list[date]) -> None:
    """Recompute the daily tables of `days` from the raw downloads (only days still kept raw)."""
    cutoff = oldest_kept_day()
    for day in sorted(d for d in days if d >= cutoff):
        _rollup_day(day)


def _age(day: date, published: datetime | None) -> int | None:
    """Days from an episode's publication to `day` (0: its first UTC day)."""
    return (day - published.astimezone(UTC).date()).days if published else None


def _episode_count[M: (DailyDownloads, DailyBreakdown)](
    model: type[M], day: date, row: dict, **fields: object
) -> M:
    """One episode's downloads of the day, from a `values(…).annotate(n=Count(…))` row."""
    return model(
        day=day,
        show_id=row["show_id"],
        episode_id=row["episode_id"],
        downloads=row["n"],
        **fields,
    )


def _with_show_totals[M: (DailyDownloads, DailyBreakdown)](
    model: type[M], day: date, counts: list[M], *shared: str
) -> list[M]:
    """The episodes' counts, then each show's total (one per value of the `shared` fields)."""
    totals: dict[tuple, int] = defaultdict(int)
    for count in counts:
        totals[count.show_id, *(getattr(count, name) for name in shared)] += count.downloads
    return counts + [
        model(day=day, show_id=show_id, downloads=n, **dict(zip(shared, values, strict=True)))
        for (show_id, *values), n in totals.items()
    ]


def _rollup_day(day: date) -> None:
    raw = Download.objects.filter(day=day)
    per_episode = raw.values("show_id", "episode_id", "episode__pub_date").annotate(n=Count("id"))
    daily = [
        _episode_count(DailyDownloads, day, row, age=_age(day, row["episode__pub_date"]))
        for row in per_episode
    ]
    daily = _with_show_totals(DailyDownloads, day, daily)
    breakdown = []
    for dimension in Dimension:
        field = dimension.value
        rows = raw.values("show_id", "episode_id", field).annotate(n=Count("id"))
        counts = [
            _episode_count(
                DailyBreakdown, day, row, dimension=dimension, value=row[field] or UNKNOWN
            )
            for row in rows
            # Most downloads come from apps, not from a web page: no "Unknown" referrer.
            if row[field] or dimension != Dimension.REFERRER
        ]
        breakdown += _with_show_totals(DailyBreakdown, day, counts, "dimension", "value")
    with transaction.atomic():
        DailyDownloads.objects.filter(day=day).delete()
        DailyBreakdown.objects.filter(day=day).delete()
        DailyDownloads.objects.bulk_create(daily, batch_size=1000)
        DailyBreakdown.objects.bulk_create(breakdown, batch_size=1000)


def apply_retention(today: date | None = None) -> dict[str, int]:
    """Delete raw downloads and polls older than ANALYTICS_RETENTION_DAYS; rollups stay."""
    cutoff = oldest_kept_day(today)
    deleted_downloads, _ = Download.objects.filter(day__lt=cutoff).delete()
    deleted_polls, _ = FeedPoll.objects.filter(day__lt=cutoff).delete()
    return {"downloads": deleted_downloads, "polls": deleted_polls}


def catch_up() -> set[date]:
    """Flush and roll up: what every periodic run and every page of figures does first."""
    days = flush()
    rollup(days)
    return days
