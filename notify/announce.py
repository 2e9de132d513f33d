"""Telling hubs and Podping that a published feed changed, from the change to the last retry.

change (in the editor's transaction) ─ records a burst on the show's FeedState ─ after commit ─▶
`announce` (a task, at the burst's due time) claims it: one Notification per hub and gateway ─▶
`deliver` (a task per notification) sends it, retrying with backoff, then records the failure.
Scheduled episodes queue `go_live` at their time; `run_sweep` catches whatever a lost task missed.

Every task is idempotent: it re-reads the database under a row lock or claims its row with a
conditional update, so running it twice, or a sweep running beside it, sends nothing twice.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.tasks import task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from episodes.models import Episode, Show
from notify import http
from notify.models import FeedState, Notification, Sweep
from podcast.tasks import can_defer, enqueue, enqueue_on_commit, retry_delay, retrying

# How late a queued task may be before the sweep queues it again (it will find it done if not).
GRACE = timedelta(seconds=60)
MAX_REASONS = 10
LOG_KEPT = timedelta(days=90)


class NotificationFailed(Exception):
    """The last attempt failed: the task is recorded as failed (the tasks admin shows it too)."""


def targets() -> list[tuple[str, str]]:
    """(kind, URL) of every hub and gateway to tell, from the settings."""
    found = [(Notification.Kind.WEBSUB, hub) for hub in settings.WEBSUB_HUBS]
    if settings.PODPING_URL and settings.PODPING_TOKEN:
        found.append((Notification.Kind.PODPING, settings.PODPING_URL))
    return found


def is_configured() -> bool:
    return bool(targets())


def _locked_state(show_id: int, now: datetime) -> FeedState:
    state, _ = FeedState.objects.select_for_update().get_or_create(
        show_id=show_id, defaults={"live_through": now}
    )
    return state


def feed_changed(
    show_ids: Iterable[int], reason: str, *, went_live: datetime | None = None
) -> None:
    """Record that these shows' published feeds changed; each is announced once its burst ends.

    `went_live`: the change is an episode of that date going live; nothing is recorded when a
    notification claimed at or after that date has covered it already.
    """
    if not is_configured():
        return
    now = timezone.now()
    for show_id in sorted(set(show_ids)):
        with transaction.atomic():
            state = _locked_state(show_id, now)
            if went_live is not None and went_live <= state.live_through:
                continue
            first = state.first_change_at or now
            state.first_change_at, state.last_change_at = first, now
            quiet = timedelta(seconds=settings.NOTIFY_QUIET_SECONDS)
            longest = timedelta(seconds=settings.NOTIFY_MAX_DELAY_SECONDS)
            state.due_at = min(now + quiet, first + longest)
            if reason not in state.reasons:
                state.reasons = [*state.reasons, reason][-MAX_REASONS:]
            # One queued task per burst: it waits on for later edits itself (see `announce`).
            queue = state.queued_for is None
            if queue:
                state.queued_for = state.due_at
            state.save()
        if queue:
            enqueue_on_commit(announce, show_id, at=state.due_at)


def _claim(state: FeedState, now: datetime, extra_reason: str = "") -> list[Notification]:
    """The notifications announcing `state`'s burst (and `extra_reason`); the burst is closed."""
    show = Show.objects.get(pk=state.show_id)
    reasons = [*state.reasons, extra_reason] if extra_reason else state.reasons
    reason = "; ".join(reasons) or "feed changed"
    notifications = Notification.objects.bulk_create(
        Notification(
            show=show,
            kind=kind,
            target=target,
            feed_url=show.feed_url,
            reason=reason,
            created=now,
            next_attempt_at=now,
        )
        for kind, target in targets()
    )
    state.first_change_at = state.last_change_at = state.due_at = state.queued_for = None
    state.reasons = []
    # The hubs fetch the feed after this moment: every episode dated up to now is in it.
    state.live_through = max(state.live_through, now)
    state.announced_at = now
    state.save()
    for notification in notifications:
        enqueue_on_commit(deliver, notification.pk)
    return notifications


@task
@retrying()
def announce(show_id: int) -> str:
    """Announce the show's burst of changes once it is due (the debounce's end)."""
    now = timezone.now()
    with transaction.atomic():
        state = FeedState.objects.select_for_update().filter(show_id=show_id).first()
        if state is None or not state.is_pending:
            return "nothing to announce"
        if state.due_at > now and can_defer(announce):
            # Edits came after this task was queued: wait for the burst's new end.
            state.queued_for = state.due_at
            state.save(update_fields=["queued_for"])
            enqueue_on_commit(announce, show_id, at=state.due_at)
            return f"waiting until {state.due_at.isoformat()}"
        notifications = _claim(state, now)
    schedule_sweep()
    return f"{len(notifications)} notification(s) queued"


def notify_now(show: Show, reason: str) -> list[Notification]:
    """Announce `show`'s feed at once (the admin's “Notify now”), with any pending burst."""
    if not is_configured():
        return []
    now = timezone.now()
    with transaction.atomic():
        state = _locked_state(show.pk, now)
        return _claim(state, now, reason)


@task
def deliver(notification_id: int) -> str:
    """Send one notification; on failure queue a retry with backoff, or record the failure."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        status__in=[Notification.Status.PENDING, Notification.Status.RETRYING],
        next_attempt_at__lte=now,
    ).update(status=Notification.Status.SENDING, last_attempt_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "already sent, given up, being sent or not due"
    notification = Notification.objects.get(pk=notification_id)
    answer = _send(notification)
    notification.status_code, notification.error = answer.status_code, answer.error
    now = timezone.now()
    if answer.ok:
        notification.status, notification.finished_at = Notification.Status.SENT, now
        notification.save()
        return f"sent: HTTP {answer.status_code}"
    if answer.permanent or notification.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        notification.status, notification.finished_at = Notification.Status.FAILED, now
        notification.save()
        raise NotificationFailed(
            f"{notification.target} for {notification.feed_url}: gave up after "
            f"{notification.attempts} attempt(s): {notification.result}"
        )
    # A backend that cannot defer runs the retry at once; the attempts still run out.
    delay = retry_delay(notification.attempts) if can_defer(deliver) else timedelta(0)
    notification.status = Notification.Status.RETRYING
    notification.next_attempt_at = now + delay
    notification.save()
    enqueue(deliver, notification_id, at=notification.next_attempt_at)
    return f"attempt {notification.attempts} failed ({notification.result}); retrying"


def _send(notification: Notification) -> http.Answer:
    if notification.kind == Notification.Kind.PODPING:
        return http.podping(notification.target, settings.PODPING_TOKEN, notification.feed_url)
    return http.websub_publish(notification.target, notification.feed_url)


def schedule_go_live(episode: Episode) -> None:
    """Queue the announcement of a scheduled episode at its time (after the save commits)."""
    if is_configured():
        with transaction.atomic():
            # The state must predate the go-live, or the sweep could not tell it was missed.
            _locked_state(episode.show_id, timezone.now())
        enqueue_on_commit(go_live, episode.pk, episode.pub_date.isoformat(), at=episode.pub_date)


@task
@retrying()
def go_live(episode_id: int, pub_date: str) -> str:
    """A scheduled episode's time has come: announce it if it is live now, at this time."""
    episode = Episode.objects.filter(pk=episode_id).first()
    if episode is None:
        return "deleted"
    if episode.status != Episode.Status.PUBLISHED or episode.pub_date != parse_datetime(pub_date):
        # Unpublished, or moved: a move queued a task of its own for the new time.
        return "unpublished or moved"
    if not Episode.objects.published().filter(pk=episode_id).exists():
        if can_defer(go_live):
            enqueue(go_live, episode_id, pub_date, at=episode.pub_date)
        return "not yet live"
    feed_changed([episode.show_id], f"“{episode.title}” went live", went_live=episode.pub_date)
    return "announced"


def schedule_sweep() -> None:
    """Make sure the next periodic sweep is queued; a no-op while one is and it is not late."""
    if not is_configured():
        return
    now = timezone.now()
    with transaction.atomic():
        row, _ = Sweep.objects.select_for_update().get_or_create(pk=1)
        if row.next_run_at is not None and row.next_run_at > now - GRACE:
            return
        row.next_run_at = now + timedelta(seconds=settings.NOTIFY_SWEEP_SECONDS)
        row.save(update_fields=["next_run_at"])
        enqueue_on_commit(run_sweep, at=row.next_run_at)


@task
def run_sweep() -> str:
    """The periodic sweep; it queues the next one itself (which is also its retry)."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = Sweep.objects.select_for_update().get_or_create(pk=1)
        if row.next_run_at is not None and row.next_run_at <= now:
            row.next_run_at = None  # this is the run it was waiting for
            row.save(update_fields=["next_run_at"])
    try:
        return sweep()
    finally:
        schedule_sweep()


def hubs_changed(now: datetime) -> bool:
    """Stamp every show when WEBSUB_HUBS differs from what the feeds name.

    Kept copies of a feed are keyed by its freshness stamp; without a new stamp they would name
    the old hubs until each show's next edit.
    """
    hubs = " ".join(settings.WEBSUB_HUBS)
    with transaction.atomic():
        row, _ = Sweep.objects.select_for_update().get_or_create(pk=1)
        if row.hubs == hubs:
            return False
        row.hubs = hubs
        row.save(update_fields=["hubs"])
        Show.objects.update(updated=now)
    return True


def sweep() -> str:
    """Catch what lost or late tasks missed: go-lives, due announcements, unsent notifications."""
    now = timezone.now()
    found = ["hubs changed: every feed rebuilt"] if hubs_changed(now) else []
    if not is_configured():
        return "; ".join(found) or "no hub or Podping configured"
    latest_live = dict(
        Episode.objects.published()
        .order_by()
        .values("show_id")
        .annotate(latest=Max("pub_date"))
        .values_list("show_id", "latest")
    )
    states = {state.show_id: state for state in FeedState.objects.all()}
    for show_id, latest in latest_live.items():
        state = states.get(show_id)
        if state is None:
            # Never tracked: nothing can be known to be missed. From now on it is.
            FeedState.objects.get_or_create(show_id=show_id, defaults={"live_through": now})
        elif not state.is_pending and latest > state.live_through:
            feed_changed([show_id], "an episode went live (found by the sweep)", went_live=latest)
            found.append(f"show {show_id}: went live")
    for state in FeedState.objects.filter(due_at__lt=now - GRACE):
        enqueue(announce, state.show_id)
        found.append(f"show {state.show_id}: late announcement")
    late = Notification.objects.filter(
        status__in=[Notification.Status.PENDING, Notification.Status.RETRYING],
        next_attempt_at__lt=now - GRACE,
    )
    # A worker that died mid-request leaves its claim behind; requests end within seconds.
    abandoned = Notification.objects.filter(
        status=Notification.Status.SENDING,
        last_attempt_at__lt=now - GRACE - timedelta(seconds=settings.NOTIFY_TIMEOUT_SECONDS * 8),
    )
    stuck = [*late.values_list("pk", flat=True), *abandoned.values_list("pk", flat=True)]
    abandoned.update(status=Notification.Status.RETRYING, next_attempt_at=now)
    for notification_id in stuck:
        enqueue(deliver, notification_id)
        found.append(f"notification {notification_id}: late delivery")
    # The log is for seeing what happened lately, not an archive.
    Notification.objects.filter(created__lt=now - LOG_KEPT).delete()
    result = "; ".join(found) or "nothing missed"
    Sweep.objects.update_or_create(pk=1, defaults={"last_run_at": now, "last_result": result})
    return result
