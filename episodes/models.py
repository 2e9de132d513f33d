import uuid
from collections.abc import Iterable
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
from podcast import rules as p20  # Podcasting 2.0 rules
from podcast.constraints import web_url
from podcast.media import ARTWORK_WIDTHS, RenditionInfo, refresh_renditions
from podcast.querysets import PublicQuerySet
from podcast.rendered import RenderedMarkdownModel, length_at_most, max_chars
from podcast.rules import validate_description
from podcast.uploads import UploadPath

# UUIDv5 namespace of podcast:guid (Podcasting 2.0 `guid` tag).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# Paths the site uses for itself; a show slug must not shadow them.
RESERVED_SLUGS = {
    "admin", "api", "embed", "episodes", "feed", "feeds", "guests", "healthz", "markdownx",
    "media", "oembed", "robots.txt", "search", "seasons", "shows", "sitemap.xml", "static", "tags",
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


# Platforms that closed: their links are kept (an editor may still want them) but not shown.
DISCONTINUED_PLATFORMS = frozenset({Platform.GOOGLE})


def live_links(links: Iterable["BaseLink"]) -> list["BaseLink"]:
    """The links a listener can still follow, from a (prefetched) `links.all()`."""
    return [link for link in links if link.platform not in DISCONTINUED_PLATFORMS]


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


class LicenseAndLocation(models.Model):
    """podcast:license and podcast:location, which a show and each episode may carry."""

    license = models.CharField(
        max_length=p20.SHORT_TEXT,
        blank=True,
        help_text="podcast:license: an identifier such as “cc-by-4.0”, or your own license's "
        "short name (then give its URL).",
    )
    license_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="The full text of the license; required for a license that is not well known.",
    )
    location_name = models.CharField(
        "location",
        max_length=p20.SHORT_TEXT,
        blank=True,
        help_text="podcast:location: a place as listeners would name it, e.g. “Austin, TX”.",
    )
    location_geo = models.CharField(
        "geo URI",
        max_length=100,
        blank=True,
        validators=[p20.validate_geo_uri, p20.validate_geo_range],
        help_text="Latitude and longitude, e.g. “geo:30.2672,-97.7431”.",
    )
    location_osm = models.CharField(
        "OpenStreetMap id",
        max_length=30,
        blank=True,
        validators=[p20.validate_osm],
        help_text="N, W or R and the number from openstreetmap.org, e.g. “R113314”.",
    )
    location_country = models.CharField(
        "country",
        max_length=2,
        blank=True,
        validators=[p20.validate_country],
        help_text="Two-letter code, e.g. “us”.",
    )
    location_rel = models.CharField(
        "the location is",
        max_length=10,
        choices=p20.LocationRel.choices,
        blank=True,
        help_text="Empty: what the content is about (the namespace's default).",
    )

    class Meta:
        abstract = True

    @property
    def location_osm_url(self) -> str:
        """The place on openstreetmap.org, or "" without a usable id."""
        kind = {"N": "node", "W": "way", "R": "relation"}.get(self.location_osm[:1])
        number = self.location_osm[1:].split("#")[0]
        return f"https://www.openstreetmap.org/{kind}/{number}" if kind and number else ""

    def clean(self) -> None:
        errors = {}
        if p20.license_needs_url(self.license) and not self.license_url:
            errors["license_url"] = (
                f"“{self.license}” is not a well-known license: give the URL of its full text."
            )
        if (self.location_geo or self.location_osm or self.location_country) and not (
            self.location_name.strip()
        ):
            errors["location_name"] = "Name the place too: apps show the name."
        if errors:
            raise ValidationError(errors)


class Show(LicenseAndLocation):
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
    import_fingerprints = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="A hash of each value an import last wrote: a re-import keeps an editor's edits.",
    )
    medium = models.CharField(
        max_length=20,
        choices=p20.Medium.choices,
        default=p20.Medium.PODCAST,
        help_text="podcast:medium: what the feed holds. Apps adapt (no speed-up for music).",
    )
    cover_art_alt = models.CharField(
        "artwork description",
        max_length=255,
        blank=True,
        help_text="What the artwork shows, for listeners who cannot see it (podcast:image alt).",
    )
    trailer = models.ForeignKey(
        "Episode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="podcast:trailer: the episode apps offer as a preview. Empty: every published "
        "episode of type Trailer.",
    )
    update_frequency = models.CharField(
        max_length=p20.SHORT_TEXT,
        blank=True,
        help_text="podcast:updateFrequency, as listeners read it, e.g. “Every other Monday”.",
    )
    update_rrule = models.CharField(
        "update rule",
        max_length=255,
        blank=True,
        validators=[p20.validate_rrule],
        help_text="The same schedule for apps, as an iCalendar rule, e.g. "
        "“FREQ=WEEKLY;INTERVAL=2;BYDAY=MO”.",
    )
    update_dtstart = models.DateTimeField(
        "schedule starts",
        null=True,
        blank=True,
        help_text="When the schedule begins; required when the rule has a COUNT.",
    )
    value_suggested = models.DecimalField(
        "suggested value",
        max_digits=20,
        decimal_places=11,
        null=True,
        blank=True,
        help_text="podcast:value: bitcoin per minute a listener's app suggests streaming, "
        "e.g. 0.00000005 (5 sats). Recipients are listed below.",
    )
    publisher_name = models.CharField(
        max_length=p20.SHORT_TEXT,
        blank=True,
        help_text="podcast:publisher: the network that owns the show, if any.",
    )
    publisher_feed_url = models.URLField(
        max_length=500, blank=True, help_text="The publisher's own feed (medium “publisher”)."
    )
    publisher_feed_guid = models.UUIDField(
        null=True,
        blank=True,
        help_text="The publisher feed's podcast:guid; worked out from its URL when empty.",
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
            web_url("license_url", "show_license_url_http"),
            web_url("publisher_feed_url", "show_publisher_feed_url_http"),
            models.CheckConstraint(
                condition=Q(medium__in=p20.Medium.values), name="show_medium_valid"
            ),
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
        super().clean()
        if self.trailer_id and self.trailer.show_id != self.pk:
            raise ValidationError({"trailer": "Choose one of this show's own episodes."})
        if p20.rrule_needs_dtstart(self.update_rrule) and not self.update_dtstart:
            raise ValidationError(
                {"update_dtstart": "A rule with a COUNT needs the date the schedule starts."}
            )
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
    def live_links(self) -> list["ShowLink"]:
        return live_links(self.links.all())

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


# Enough for the longest real show notes; rendering time is bounded separately (podcast.markdown).
SHOW_NOTES_MAX_CHARS = 100_000


class Episode(RenderedMarkdownModel, LicenseAndLocation):
    Status = Status
    EpisodeType = EpisodeType
    RENDERED = ("show_notes",)

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
    show_notes = MarkdownxField(
        blank=True,
        validators=[max_chars(SHOW_NOTES_MAX_CHARS)],
        help_text=f"Markdown, at most {SHOW_NOTES_MAX_CHARS:,} characters. Timestamps like 12:34 "
        "seek.",
    )
    show_notes_html = models.TextField(
        blank=True, editable=False, help_text="The show notes as sanitised HTML, made on save."
    )
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
    import_fingerprints = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="A hash of each value an import last wrote: a re-import keeps an editor's edits.",
    )
    tags = models.ManyToManyField("Tag", blank=True, related_name="episodes")
    guests = models.ManyToManyField(
        "guests.Guest", through="Appearance", blank=True, related_name="episodes"
    )
    social_uri = models.URLField(
        "discussion post",
        max_length=1000,
        blank=True,
        help_text="podcast:socialInteract: the post (e.g. on Mastodon) where listeners discuss "
        "this episode; apps show its replies.",
    )
    social_protocol = models.CharField(
        "discussion protocol",
        max_length=20,
        choices=p20.SocialProtocol.choices,
        blank=True,
        help_text="How apps read the post. “Disabled” asks apps to show no comments.",
    )
    social_account_id = models.CharField(
        "posted by",
        max_length=255,
        blank=True,
        help_text="The account that wrote the post, e.g. “@show@podcastindex.social”.",
    )
    social_account_url = models.URLField(
        "poster's profile", max_length=500, blank=True, help_text="That account's public page."
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
            length_at_most("show_notes", SHOW_NOTES_MAX_CHARS, "episode_show_notes_bounded"),
            web_url("license_url", "episode_license_url_http"),
            web_url("social_uri", "episode_social_uri_http"),
            web_url("social_account_url", "episode_social_account_url_http"),
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

    @property
    def live_links(self) -> list["PlatformLink"]:
        return live_links(self.links.all())

    def clean(self) -> None:
        super().clean()
        if self.social_protocol and self.social_protocol != p20.SocialProtocol.DISABLED:
            if not self.social_uri:
                raise ValidationError({"social_uri": "Give the post's address."})
        elif self.social_uri and not self.social_protocol:
            raise ValidationError({"social_protocol": "Say how apps can read the post."})
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
    def ready_renditions(self) -> list["AlternateEnclosure"]:
        """The alternate renditions the feed and the page offer (linked ones once read)."""
        return [rendition for rendition in self.alternate_enclosures.all() if rendition.is_ready]

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


# Podcasting 2.0 (episodes/podcasting20): lists a show or an episode carries in its feed. -------


class ShowTxt(models.Model):
    """podcast:txt: free text for other services, such as a directory's ownership code."""

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="txt_records")
    purpose = models.CharField(
        max_length=p20.SHORT_TEXT,
        blank=True,
        help_text="“verify” for a directory's ownership check, “applepodcastsverify” for Apple's.",
    )
    text = models.TextField(
        max_length=p20.TXT_LIMIT, help_text="Exactly what the service asked you to publish."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["purpose", "id"]
        verbose_name = "text record (podcast:txt)"

    def __str__(self) -> str:
        return self.purpose or self.text[:40]


class ShowBlock(models.Model):
    """podcast:block: which platforms may (not) show the feed publicly."""

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="blocks")
    service = models.CharField(
        max_length=30,
        choices=p20.SERVICE_CHOICES,
        blank=True,
        help_text="Empty: every platform.",
    )
    blocked = models.BooleanField(
        default=True, help_text="Ticked: keep it off that platform. Unticked: allow it there."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service", "id"]
        verbose_name = "platform block (podcast:block)"
        constraints = [
            models.UniqueConstraint(fields=["show", "service"], name="showblock_one_per_service"),
            models.CheckConstraint(
                condition=Q(service="") | Q(service__in=p20.SERVICE_SLUGS),
                name="showblock_service_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{'block' if self.blocked else 'allow'} {self.service or 'everywhere'}"


class PodrollItem(models.Model):
    """podcast:podroll: a show the podcaster recommends."""

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="podroll")
    title = models.CharField(max_length=p20.SHORT_TEXT, blank=True, help_text="Shown by apps.")
    feed_url = models.URLField(max_length=1000, blank=True, help_text="The show's feed.")
    feed_guid = models.UUIDField(
        null=True,
        blank=True,
        help_text="Its podcast:guid (Podcast Index shows it); worked out from the feed URL "
        "when empty.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "recommended show (podcast:podroll)"
        constraints = [
            models.CheckConstraint(
                condition=~Q(feed_url="") | Q(feed_guid__isnull=False),
                name="podrollitem_feed_url_or_guid",
            ),
            web_url("feed_url", "podrollitem_feed_url_http"),
        ]

    def __str__(self) -> str:
        return self.title or self.feed_url or str(self.feed_guid)

    def clean(self) -> None:
        if not (self.feed_url or self.feed_guid):
            raise ValidationError("Give the recommended show's feed URL, its guid, or both.")

    @property
    def resolved_guid(self) -> str:
        return str(self.feed_guid or podcast_guid_for(self.feed_url))


class ValueRecipientBase(models.Model):
    """podcast:valueRecipient: a Lightning node paid a share of what listeners stream (keysend)."""

    name = models.CharField(max_length=p20.SHORT_TEXT, help_text="Who this is, e.g. “Sam (host)”.")
    address = models.CharField(
        "node public key",
        max_length=66,
        validators=[p20.validate_node_pubkey],
        help_text="The recipient's Lightning node public key (66 hex characters).",
    )
    split = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Shares of each payment; fees are percentages taken first.",
    )
    fee = models.BooleanField(default=False, help_text="A fee (e.g. the host's), in percent.")
    custom_key = models.CharField(
        max_length=20,
        blank=True,
        validators=[p20.validate_custom_key],
        help_text="Only for wallets that need it (e.g. 696969), with the value below.",
    )
    custom_value = models.CharField(max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(split__gt=0), name="%(class)s_split"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.split})"

    def clean(self) -> None:
        if bool(self.custom_key) != bool(self.custom_value):
            raise ValidationError("Give both the custom key and its value, or neither.")
        if self.fee and self.split and self.split > 100:
            raise ValidationError({"split": "A fee is a percentage: at most 100."})


class ShowValueRecipient(ValueRecipientBase):
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="value_recipients")

    class Meta(ValueRecipientBase.Meta):
        verbose_name = "value recipient (podcast:value)"


class EpisodeValueRecipient(ValueRecipientBase):
    """Replaces the show's recipients for this episode."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="value_recipients")

    class Meta(ValueRecipientBase.Meta):
        verbose_name = "value recipient for this episode (replaces the show's)"


class ValueTimeSplit(ValueRecipientBase):
    """podcast:valueTimeSplit: during a guest's segment, the guest shares in the payments."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="value_splits")
    start_time = models.PositiveIntegerField(help_text="Seconds from the start.")
    duration = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Seconds the segment lasts."
    )

    class Meta(ValueRecipientBase.Meta):
        ordering = ["start_time", "id"]
        verbose_name = "guest segment payment (podcast:valueTimeSplit)"
        constraints = [
            *ValueRecipientBase.Meta.constraints,
            models.CheckConstraint(condition=Q(duration__gt=0), name="valuetimesplit_duration"),
        ]


class Soundbite(models.Model):
    """podcast:soundbite: a moment apps may play as a preview or share."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="soundbites")
    start_time = models.DecimalField(
        max_digits=9, decimal_places=3, help_text="Seconds from the start of the episode."
    )
    duration = models.DecimalField(
        max_digits=9, decimal_places=3, help_text="Seconds; 15 to 120 is what apps expect."
    )
    title = models.CharField(max_length=p20.SHORT_TEXT, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_time", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start_time__gte=0), name="soundbite_start"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="soundbite_duration"),
        ]

    def __str__(self) -> str:
        return self.title or f"Soundbite at {self.start_time} s"

    def clean(self) -> None:
        end = (self.start_time or 0) + (self.duration or 0)
        if self.episode_id and self.episode.duration and end > self.episode.duration:
            raise ValidationError(
                f"It ends at {end:g} s, after the episode ({self.episode.duration} s)."
            )

    @property
    def start_seconds(self) -> int:
        return int(self.start_time)


class AlternateEnclosure(models.Model):
    """podcast:alternateEnclosure: another rendition of the audio (lower bitrate, Opus)."""

    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="alternate_enclosures"
    )
    title = models.CharField(
        max_length=p20.ALTERNATE_TITLE_LIMIT,
        blank=True,
        help_text="Short, e.g. “Low bandwidth” or “High quality Opus”.",
    )
    file = models.FileField(
        upload_to=UploadPath("audio"),
        blank=True,
        max_length=255,
        help_text="MP3, M4A, Opus, Ogg or FLAC; type, size, bitrate and integrity are read "
        "from it.",
    )
    url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Instead of a file: the rendition hosted elsewhere. It is fetched once and read "
        "like an upload; it joins the feed when that worked.",
    )
    mime_type = models.CharField(max_length=50, blank=True, help_text="Read from the file.")
    size = models.BigIntegerField(null=True, blank=True, help_text="Bytes, read from the file.")
    bitrate = models.PositiveIntegerField(
        null=True, blank=True, help_text="Bits per second, read from the file."
    )
    codecs = models.CharField(max_length=50, blank=True, help_text="E.g. “opus”, “mp4a.40.2”.")
    duration = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds, read from the file."
    )
    integrity = models.CharField(
        max_length=200, blank=True, help_text="SRI hash (sha384-…), computed from the file."
    )
    read_url = models.URLField(
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The linked address the type, size, bitrate and integrity were read from.",
    )
    read_problem = models.TextField(
        blank=True,
        editable=False,
        help_text="Why the linked file could not be read; it stays out of the feed until fixed.",
    )
    other_sources = models.TextField(
        blank=True,
        help_text="Other addresses of the same file (https://, ipfs://, a .torrent), one a line.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "alternate rendition (podcast:alternateEnclosure)"
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") | Q(url="")) & ~Q(file="", url=""),
                name="alternateenclosure_one_source",
            ),
            web_url("url", "alternateenclosure_url_http"),
            models.CheckConstraint(
                condition=Q(size__isnull=True) | Q(size__gte=0), name="alternateenclosure_size"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.mime_type or "Rendition"

    @property
    def upload_folder(self) -> str:
        return self.episode.upload_folder

    @property
    def src(self) -> str:
        return self.file.url if self.file else self.url

    @property
    def needs_reading(self) -> bool:
        """A linked file whose address was not read yet: new, changed, or linked before reading."""
        return bool(self.url) and self.url != self.read_url

    @property
    def is_ready(self) -> bool:
        """An upload, or a linked file read without a problem."""
        return not (self.needs_reading or self.read_problem)

    def take(self, info: RenditionInfo | None) -> None:
        """What mutagen read from the file (None: nothing, as nothing could be read)."""
        self.mime_type = info.mime_type if info else ""
        self.codecs = info.codecs if info else ""
        self.integrity = info.integrity if info else ""
        self.size = info.size if info else None
        self.bitrate = info.bitrate if info else None
        self.duration = info.duration if info else None

    @property
    def sources(self) -> list[str]:
        from podcast.media import absolute_url

        others = [line.strip() for line in self.other_sources.splitlines() if line.strip()]
        return [absolute_url(self.src), *others]


class FeedItem(models.Model):
    """An episode's `<item>` as last rendered, kept so that a feed is assembled, not rebuilt.

    `version` goes up with every change of something the item shows (see the sources in
    `episodes.feed.freshness`); the XML is current while `rendered_version` equals it and
    `context` matches the show fields and settings every item repeats.
    """

    episode = models.OneToOneField(
        Episode, on_delete=models.CASCADE, primary_key=True, related_name="feed_item"
    )
    version = models.PositiveBigIntegerField(default=0)
    rendered_version = models.PositiveBigIntegerField(null=True)
    context = models.CharField(max_length=64, blank=True)
    xml = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Feed item of episode {self.episode_id} (version {self.version})"


class FeedBuild(models.Model):
    """Who builds a show's feed right now (a lease that expires), and how many builds there were."""

    show = models.OneToOneField(
        Show, on_delete=models.CASCADE, primary_key=True, related_name="feed_build"
    )
    holder = models.CharField(max_length=64, blank=True)
    expires = models.DateTimeField(null=True)
    builds = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Feed builds of show {self.show_id}: {self.builds}"
