"""Listening figures: counted downloads and feed polls (raw, kept for a while) and daily rollups.

No address or User-Agent is stored with a download or a poll: a listener is a keyed hash whose key
(the day's salt) never reaches the database and is thrown away after its day.
"""

from django.db import models
from django.db.models import Q

from episodes.models import Episode, Show

LISTENER_LENGTH = 32  # hex digits of a 128-bit keyed BLAKE2b


class AgentKind(models.TextChoices):
    APP = "app", "App"
    LIBRARY = "library", "Library"
    BROWSER = "browser", "Browser"
    UNKNOWN = "unknown", "Unknown"


class Download(models.Model):
    """One listener's download of one episode on one UTC day (IAB v2 / OP3 style)."""

    day = models.DateField()
    time = models.DateTimeField(help_text="The first counted request of the day.")
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="downloads")
    listener = models.CharField(max_length=LISTENER_LENGTH)
    agent_kind = models.CharField(max_length=10, choices=AgentKind.choices)
    app = models.CharField(max_length=100, blank=True)
    device = models.CharField(max_length=100, blank=True)
    device_category = models.CharField(max_length=30, blank=True)
    referrer = models.CharField(max_length=100, blank=True, help_text="Web app, from the Referer.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "day", "listener"], name="download_once_per_listener_day"
            ),
            models.CheckConstraint(
                condition=Q(agent_kind__in=AgentKind.values), name="download_agent_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="download_day_idx")]

    def __str__(self) -> str:
        return f"{self.episode_id} on {self.day}"


class FeedPoll(models.Model):
    """One poller of one show's feed on one UTC day: the subscriber estimate counts these."""

    day = models.DateField()
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="+")
    poller = models.CharField(max_length=LISTENER_LENGTH)
    agent_kind = models.CharField(max_length=10)
    app = models.CharField(max_length=100, blank=True)
    subscribers = models.PositiveIntegerField(
        null=True, blank=True, help_text="As reported in the User-Agent by an aggregator."
    )
    time = models.DateTimeField(help_text="The latest poll of the day.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["show", "day", "poller"], name="feedpoll_once_per_poller_day"
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="feedpoll_day_idx"),
            models.Index(fields=["show", "-day"], name="feedpoll_show_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.show_id} polled on {self.day}"


class Dimension(models.TextChoices):
    APP = "app", "App"
    DEVICE_CATEGORY = "device_category", "Device category"
    REFERRER = "referrer", "Web referrer"


class DailyDownloads(models.Model):
    """Downloads per day of an episode, or of the whole show (episode empty): what pages read."""

    day = models.DateField()
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(Episode, null=True, on_delete=models.CASCADE, related_name="+")
    age = models.IntegerField(
        null=True, help_text="Days since the episode's publication (0: its first UTC day)."
    )
    downloads = models.PositiveIntegerField()

    class Meta:
        verbose_name = "daily downloads"
        verbose_name_plural = "downloads"
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "day"],
                condition=Q(episode__isnull=False),
                name="dailydownloads_unique_episode_day",
            ),
            models.UniqueConstraint(
                fields=["show", "day"],
                condition=Q(episode__isnull=True),
                name="dailydownloads_unique_show_day",
            ),
        ]
        indexes = [
            models.Index(fields=["show", "episode", "day"], name="dailydownloads_show_idx"),
            # The CSV's order; also what rollups and retention find a day's rows by.
            models.Index(fields=["day", "show", "episode"], name="dailydownloads_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.downloads} on {self.day}"


class DailyBreakdown(models.Model):
    """Downloads per day by app, device category or web referrer, per episode and per show."""

    day = models.DateField()
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(Episode, null=True, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    value = models.CharField(max_length=100)
    downloads = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "day", "dimension", "value"],
                condition=Q(episode__isnull=False),
                name="dailybreakdown_unique_episode",
            ),
            models.UniqueConstraint(
                fields=["show", "day", "dimension", "value"],
                condition=Q(episode__isnull=True),
                name="dailybreakdown_unique_show",
            ),
            models.CheckConstraint(
                condition=Q(dimension__in=Dimension.values), name="dailybreakdown_dimension_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["show", "episode", "dimension", "day"], name="dailybreakdown_show_idx"
            ),
            models.Index(fields=["day"], name="dailybreakdown_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.downloads} on {self.day}"
