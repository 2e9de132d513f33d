"""What the notify app remembers: each feed's pending announcement, and every notification sent."""

from django.db import models
from django.db.models import Q

from episodes.models import Show


class FeedState(models.Model):
    """One show's feed as the outside world was last told about it.

    A change opens a burst (`first_change_at`); the burst is announced once, at `due_at`.
    `live_through`: every episode dated up to then was live when a notification was claimed,
    so its going live has been announced (the go-live tasks and the sweep skip it).
    """

    show = models.OneToOneField(Show, on_delete=models.CASCADE, related_name="notify_state")
    first_change_at = models.DateTimeField(null=True, blank=True)
    last_change_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    # When the announce task now in the queue will run; None: none queued.
    queued_for = models.DateTimeField(null=True, blank=True)
    live_through = models.DateTimeField()
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="feedstate_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_change_at__isnull=True) | Q(due_at__isnull=False),
                name="feedstate_pending_has_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.show}: {'pending' if self.is_pending else 'announced'}"

    @property
    def is_pending(self) -> bool:
        return self.first_change_at is not None


class Kind(models.TextChoices):
    WEBSUB = "websub", "WebSub hub"
    PODPING = "podping", "Podping"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Failed, will retry"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One message to one hub or gateway about one feed, with its outcome."""

    Kind = Kind
    Status = Status

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.URLField(max_length=1000, help_text="The hub or the Podping gateway.")
    feed_url = models.URLField(max_length=1000)
    reason = models.TextField(help_text="The changes it announces.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["show", "-created", "-id"], name="notification_show_recent_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="notification_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target} for {self.feed_url}: {self.result}"

    @property
    def result(self) -> str:
        """What the hub answered, or why nothing did."""
        parts = []
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}")
        if self.error:
            parts.append(self.error)
        return " — ".join(parts) or self.get_status_display()


class Sweep(models.Model):
    """The periodic sweep's schedule (a single row): when the next one is queued for."""

    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)
    # WEBSUB_HUBS as the feeds last named them (see `notify.announce.hubs_changed`).
    hubs = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Sweep (last {self.last_run_at}, next {self.next_run_at})"
