import uuid
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField

from episodes.categories import APPLE_CATEGORIES, CATEGORY_CHOICES, SUBCATEGORY_CHOICES
from podcast.constraints import web_url
from podcast.media import ARTWORK_WIDTHS, refresh_renditions
from podcast.querysets import PublicQuerySet
from podcast.rules import validate_description
from podcast.uploads import UploadPath

# UUIDv5 namespace of podcast:guid (Podcasting 2.0 `guid` tag).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# Paths the site uses for itself; a show slug must not shadow them.
RESERVED_SLUGS = {
    "admin", "api", "episodes", "feed", "feeds", "guests", "healthz", "markdownx", "media",
    "robots.txt", "search", "seasons", "shows", "sitemap.xml", "static", "tags",
}  # fmt: skip


def validate_show_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


def validate_max_4000_bytes(value: str) -> None:
    """Apple's description limit, under the name the migrations know it by."""
    validate_description(value)


validate_language = RegexValidator(
    r"^[a-z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
    "Use an ISO 639 language code such as “en” or “en-us” (not “en_US”).",
)


def podcast_guid_for(feed_url: str) -> uuid.UUID:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return uuid.uuid5(PODCAST_GUID_NAMESPACE, bare)


def new_guid() -> str:
    return str(uuid.uuid4())


class Platform(models.TextChoices):
    APPLE = "apple", "Apple Podcasts"
    SPOTIFY = "spotify", "Spotify"
    YOUTUBE = "youtube", "YouTube"
    AMAZON = "amazon", "Amazon Music"
    OVERCAST = "overcast", "Overcast"
    POCKET_CASTS = "pocketcasts", "Pocket Casts"
    PODCAST_INDEX = "podcastindex", "Podcast Index"
    GOOGLE = "google", "Google Podcasts (discontinued)"
    OTHER = "other", "Other"


class ShowType(models.TextChoices):
    EPISODIC = "episodic", "Episodic (newest first)"
    SERIAL = "serial", "Serial (oldest first, every episode numbered)"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published (scheduled when the date is in the future)"


class EpisodeType(models.TextChoices):
    FULL = "full", "Full"
    TRAILER = "trailer", "Trailer"
    BONUS = "bonus", "Bonus"


class Role(models.TextChoices):
    """Roles of the Podcast Index person taxonomy."""

    HOST = "host", "Host"
    CO_HOST = "co-host", "Co-Host"
    GUEST_HOST = "guest host", "Guest Host"
    GUEST = "guest", "Guest"
    NARRATOR = "narrator", "Narrator"
    PRODUCER = "producer", "Producer"
    EDITOR = "editor", "Editor"
    COMPOSER = "composer", "Composer"


class Show(models.Model):
    """A podcast. A site may hold several; most hold one."""

    ShowType = ShowType

    title = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=100,
        validators=[validate_show_slug],
        help_text="Part of every URL of the show and its feed. Renaming keeps the old one (301).",
    )
    subtitle = models.CharField(max_length=255, blank=True, help_text="One line under the title.")
    description = models.TextField(
        validators=[validate_max_4000_bytes],
        help_text="Plain text, at most 4,000 bytes. Shown by podcast apps.",
    )
    author = models.CharField(max_length=255, help_text="Shown as the show's author in apps.")
    owner_name = models.CharField(max_length=255)
    owner_email = models.EmailField(
        help_text="Apple and Spotify send ownership checks here; it appears in the feed."
    )
    language = models.CharField(max_length=20, default="en", validators=[validate_language])
    category = models.CharField(max_length=50, choices=CATEGORY_CHOICES, default="Technology")
    subcategory = models.CharField(
        max_length=50,
        choices=SUBCATEGORY_CHOICES,
        blank=True,
        help_text="Must belong to the category.",
    )
    explicit = models.BooleanField(default=False)
    show_type = models.CharField(max_length=10, choices=ShowType.choices, default=ShowType.EPISODIC)
    cover_art = models.ImageField(
        upload_to=UploadPath("art"),
        blank=True,
        help_text="Square JPEG or PNG, RGB, 1400–3000 px. Required by Apple.",
    )
    cover_art_renditions = models.JSONField(default=dict, blank=True, editable=False)
    copyright = models.CharField(max_length=255, blank=True, help_text="E.g. “© 2026 Jane Doe”.")
    website = models.URLField(max_length=500, blank=True)
    funding_url = models.URLField(max_length=500, blank=True, help_text="Donations or membership.")
    funding_text = models.CharField(max_length=128, blank=True, default="Support the show")
    locked = models.BooleanField(
        default=True,
        help_text="podcast:locked: other hosting platforms may not import this feed.",
    )
    complete = models.BooleanField(
        default=False, help_text="No more episodes will ever be published."
    )
    hosts = models.ManyToManyField(
        "guests.Guest",
        blank=True,
        related_name="hosted_shows",
        help_text="Named as hosts in the feed and restated on every episode.",
    )
    podcast_guid = models.UUIDField(
        unique=True,
        editable=False,
        help_text="podcast:guid, computed once from the first feed URL and never changed.",
    )
    new_feed_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Only when the show has moved elsewhere: the old feed then answers 301 to it.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="show_unique_slug"),
            models.CheckConstraint(
                condition=Q(show_type__in=ShowType.values),
                name="show_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(category__in=list(APPLE_CATEGORIES)), name="show_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(subcategory="")
                | Q(
                    *[
                        Q(category=parent, subcategory__in=subs)
                        for parent, subs in APPLE_CATEGORIES.items()
                        if subs
                    ],
                    _connector=Q.OR,
                ),
                name="show_subcategory_in_category",
            ),
            web_url("website", "show_website_http"),
            web_url("funding_url", "show_funding_url_http"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.podcast_guid is None:
            self.podcast_guid = podcast_guid_for(self.feed_url)
        self.cover_art_renditions = refresh_renditions(
            self.cover_art, self.cover_art_renditions, ARTWORK_WIDTHS
        )
        old_slug = (
            Show.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if self.pk
            else None
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Subscribers and links know the old address: it keeps answering, with a 301.
            ShowRedirect.objects.filter(slug=self.slug).delete()
            if old_slug and old_slug != self.slug:
                ShowRedirect.objects.update_or_create(slug=old_slug, defaults={"show": self})

    def get_absolute_url(self) -> str:
        return reverse("episodes:show", kwargs={"show": self.slug})

    def clean(self) -> None:
        if ShowRedirect.objects.filter(slug=self.slug).exclude(show_id=self.pk).exists():
            raise ValidationError(
                {"slug": "Another show used this address before; its subscribers still follow it."}
            )
        if self.subcategory and self.subcategory not in APPLE_CATEGORIES.get(self.category, []):
            raise ValidationError(
                {"subcategory": f"“{self.subcategory}” is not a subcategory of {self.category}."}
            )

    def get_feed_path(self) -> str:
        return reverse("episodes:feed", kwargs={"show": self.slug})

    @property
    def feed_url(self) -> str:
        return settings.SITE_URL + self.get_feed_path()

    @property
    def upload_folder(self) -> str:
        return f"shows/{self.slug}"


class ShowRedirect(models.Model):
    """A show's former slug: its old feed and page URLs answer 301 to the current ones."""

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=100, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.slug} → {self.show.slug}"


class EpisodeQuerySet(PublicQuerySet):
    def published(self) -> Self:
        """What the public may see: published, and its time has come. The one definition."""
        return self.filter(status=Status.PUBLISHED, pub_date__lte=timezone.now())

    def public(self) -> Self:
        return self.published()

    def for_cards(self) -> Self:
        """Everything an episode card shows (show, tags, people), in a fixed number of queries."""
        return self.select_related("show").prefetch_related(
            "tags",
            models.Prefetch("appearances", queryset=Appearance.objects.select_related("guest")),
        )

    def scheduled(self) -> Self:
        return self.filter(status=Status.PUBLISHED, pub_date__gt=timezone.now())

    def newest_first(self) -> Self:
        return self.order_by("-pub_date", "-id")


class Episode(models.Model):
    Status = Status
    EpisodeType = EpisodeType

    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="episodes")
    title = models.CharField(
        max_length=255,
        help_text="Without the episode or season number: apps show those from their own fields.",
    )
    slug = models.SlugField(max_length=200, help_text="Unique within the show; part of the URL.")
    guid = models.CharField(
        max_length=255,
        default=new_guid,
        help_text="The episode's identity for every podcast app. Never changes once published.",
    )
    summary = models.TextField(
        blank=True,
        validators=[validate_max_4000_bytes],
        help_text="Plain text, at most 4,000 bytes: the feed's description and the page's intro.",
    )
    show_notes = MarkdownxField(blank=True, help_text="Markdown. Timestamps like 12:34 seek.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    pub_date = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Publication time. A future time schedules the episode: it goes live by itself.",
    )
    episode_number = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    season_number = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    episode_type = models.CharField(
        max_length=10, choices=EpisodeType.choices, default=EpisodeType.FULL
    )
    explicit = models.BooleanField(default=False)
    cover_art = models.ImageField(
        upload_to=UploadPath("art"),
        blank=True,
        help_text="Optional. Square JPEG or PNG, RGB, 1400–3000 px.",
    )
    cover_art_renditions = models.JSONField(default=dict, blank=True, editable=False)
    cover_art_url = models.URLField(
        max_length=1000, blank=True, help_text="Artwork hosted elsewhere (imported episodes)."
    )
    audio_file = models.FileField(
        upload_to=UploadPath("audio"),
        blank=True,
        max_length=255,
        help_text="MP3 or M4A. Size, type and duration are read from the file.",
    )
    audio_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Instead of a file: audio hosted elsewhere (size, type and duration below).",
    )
    audio_size = models.BigIntegerField(
        null=True, blank=True, help_text="Bytes. Read from the file on upload."
    )
    audio_mime_type = models.CharField(max_length=50, blank=True)
    audio_bitrate = models.PositiveIntegerField(null=True, blank=True, help_text="kbit/s.")
    duration = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds. Read from the file; override only if wrong."
    )
    transcript = models.FileField(
        upload_to=UploadPath("transcripts"),
        blank=True,
        help_text="WebVTT (.vtt) or SubRip (.srt).",
    )
    transcript_url = models.URLField(max_length=1000, blank=True, editable=False)
    transcript_mime_type = models.CharField(max_length=50, blank=True, editable=False)
    transcript_text = models.TextField(blank=True, editable=False)
    chapters_url = models.URLField(max_length=1000, blank=True, editable=False)
    tags = models.ManyToManyField("Tag", blank=True, related_name="episodes")
    guests = models.ManyToManyField(
        "guests.Guest", through="Appearance", blank=True, related_name="episodes"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-pub_date", "-id"]
        get_latest_by = "pub_date"
        indexes = [
            models.Index(fields=["show", "-pub_date", "-id"], name="episode_show_newest_idx"),
            models.Index(fields=["status", "pub_date"], name="episode_status_pub_idx"),
            models.Index(fields=["show", "season_number"], name="episode_show_season_idx"),
            models.Index(fields=["show", "updated"], name="episode_show_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["show", "slug"], name="episode_unique_slug_per_show"),
            models.UniqueConstraint(fields=["guid"], name="episode_unique_guid"),
            models.CheckConstraint(
                condition=Q(episode_number__isnull=True) | Q(episode_number__gt=0),
                name="episode_number_positive",
            ),
            models.CheckConstraint(
                condition=Q(season_number__isnull=True) | Q(season_number__gt=0),
                name="episode_season_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="episode_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(episode_type__in=EpisodeType.values),
                name="episode_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(pub_date__isnull=False),
                name="episode_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(audio_file="") | Q(audio_url=""),
                name="episode_one_audio_source",
            ),
            models.CheckConstraint(
                condition=Q(audio_size__isnull=True) | Q(audio_size__gte=0),
                name="episode_audio_size_not_negative",
            ),
            models.CheckConstraint(condition=~Q(guid=""), name="episode_guid_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.pk and self._changes_published_guid():
            raise ValidationError("The guid of a published episode never changes.")
        self.cover_art_renditions = refresh_renditions(
            self.cover_art, self.cover_art_renditions, ARTWORK_WIDTHS
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("episodes:detail", kwargs={"show": self.show.slug, "slug": self.slug})

    def clean(self) -> None:
        if self.status == self.Status.PUBLISHED and self.pub_date is None:
            raise ValidationError({"pub_date": "A published episode needs a publication date."})
        if self.audio_file and self.audio_url:
            raise ValidationError(
                {"audio_url": "Give either an uploaded file or an external URL, not both."}
            )

    @property
    def upload_folder(self) -> str:
        return f"shows/{self.show.slug}"

    def _published_siblings(self) -> EpisodeQuerySet:
        return (
            Episode.objects.published()
            .filter(show=self.show_id)
            .exclude(pk=self.pk)
            .select_related("show")
            .only("slug", "title", "show__slug")
        )

    def previous(self) -> "Episode | None":
        """The show's published episode before this one: (pub_date, id) just below its own."""
        if self.pub_date is None:
            return None
        earlier = Q(pub_date__lt=self.pub_date) | Q(pub_date=self.pub_date, id__lt=self.pk)
        return self._published_siblings().filter(earlier).newest_first().first()

    def next(self) -> "Episode | None":
        """The show's published episode after this one: (pub_date, id) just above its own."""
        if self.pub_date is None:
            return None
        later = Q(pub_date__gt=self.pub_date) | Q(pub_date=self.pub_date, id__gt=self.pk)
        return self._published_siblings().filter(later).order_by("pub_date", "id").first()

    def _changes_published_guid(self) -> bool:
        published = Episode.objects.filter(pk=self.pk, status=self.Status.PUBLISHED)
        return published.exclude(guid=self.guid).exists()

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.pub_date is not None
            and self.pub_date <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.pub_date is not None
            and self.pub_date > timezone.now()
        )

    @cached_property
    def audio_src(self) -> str:
        """The audio's URL as stored: the uploaded file's storage URL or the external one."""
        if self.audio_file:
            return self.audio_file.url
        return self.audio_url

    @property
    def enclosure_url(self) -> str:
        """Absolute audio URL, as the feed's enclosure needs it."""
        from podcast.media import absolute_url

        return absolute_url(self.audio_src)

    @property
    def transcript_src(self) -> str:
        return self.transcript.url if self.transcript else self.transcript_url

    @property
    def transcript_type(self) -> str:
        if self.transcript_mime_type:
            return self.transcript_mime_type
        name = self.transcript.name if self.transcript else self.transcript_url
        return "application/x-subrip" if name.lower().endswith(".srt") else "text/vtt"

    def get_chapters_url(self) -> str:
        return reverse("episodes:chapters", kwargs={"show": self.show.slug, "slug": self.slug})

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_file or self.audio_url)

    @property
    def duration_display(self) -> str:
        from podcast.text import format_duration

        return format_duration(self.duration)


class TagQuerySet(PublicQuerySet):
    def public(self) -> Self:
        """Topics of published episodes: a topic of drafts only is not public yet."""
        return self.filter(Exists(Episode.objects.published().filter(tags=OuterRef("pk"))))


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120)
    updated = models.DateTimeField(auto_now=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="tag_name_idx")]
        constraints = [models.UniqueConstraint(fields=["slug"], name="tag_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("episodes:tag", kwargs={"slug": self.slug})


class Appearance(models.Model):
    """Someone heard in an episode, in a role of the Podcast Index person taxonomy."""

    Role = Role

    # podcast:person `group` for each role.
    ROLE_GROUPS = {
        Role.HOST: "cast",
        Role.CO_HOST: "cast",
        Role.GUEST_HOST: "cast",
        Role.GUEST: "cast",
        Role.NARRATOR: "cast",
        Role.PRODUCER: "creative direction",
        Role.EDITOR: "audio post-production",
        Role.COMPOSER: "music production",
    }

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="appearances")
    guest = models.ForeignKey("guests.Guest", on_delete=models.PROTECT, related_name="appearances")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.GUEST)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "guest", "role"], name="appearance_unique_role"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="appearance_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.guest} ({self.get_role_display()}) in {self.episode}"

    @property
    def group(self) -> str:
        return self.ROLE_GROUPS.get(self.role, "cast")


class BaseLink(models.Model):
    """A listen/subscribe link on another platform; one per platform, any number of “other”."""

    platform = models.CharField(max_length=20, choices=Platform.choices)
    label = models.CharField(
        max_length=100, blank=True, help_text="Name shown for “Other” links, e.g. “Castbox”."
    )
    url = models.URLField(max_length=1000)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["platform", "id"]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.url}"

    @property
    def display_name(self) -> str:
        if self.platform == Platform.OTHER and self.label:
            return self.label
        return self.get_platform_display()


def _link_constraints(owner: str, prefix: str) -> list[models.BaseConstraint]:
    """One link per platform for each owner, “Other” links told apart by label, http(s) only."""
    return [
        models.UniqueConstraint(
            fields=[owner, "platform"],
            condition=~Q(platform="other"),
            name=f"{prefix}_one_per_platform",
        ),
        models.UniqueConstraint(
            fields=[owner, "label"],
            condition=Q(platform="other"),
            name=f"{prefix}_other_unique_label",
        ),
        models.CheckConstraint(
            condition=Q(platform__in=Platform.values), name=f"{prefix}_platform_valid"
        ),
        web_url("url", f"{prefix}_url_http"),
    ]


class PlatformLink(BaseLink):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="links")

    class Meta(BaseLink.Meta):
        constraints = _link_constraints("episode", "platformlink")


class ShowLink(BaseLink):
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="links")

    class Meta(BaseLink.Meta):
        constraints = _link_constraints("show", "showlink")


class Chapter(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="chapters")
    start_time = models.PositiveIntegerField(help_text="Seconds from the start.")
    title = models.CharField(max_length=255)
    url = models.URLField(max_length=1000, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "start_time"], name="chapter_unique_start_per_episode"
            ),
            web_url("url", "chapter_url_http"),
        ]

    def __str__(self) -> str:
        return self.title
