from typing import Self

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from markdownx.models import MarkdownxField

from podcast.constraints import web_url
from podcast.media import PHOTO_WIDTHS, refresh_renditions
from podcast.querysets import PublicQuerySet
from podcast.rendered import RenderedMarkdownModel, length_at_most, max_chars
from podcast.uploads import UploadPath

BIO_MAX_CHARS = 10_000


class GuestQuerySet(PublicQuerySet):
    def public(self) -> Self:
        """Hosts, and people heard in a published episode: one heard only in drafts is not yet."""
        # Episodes are reached through the relation they declare to guests, not imported.
        episodes = self.model._meta.get_field("episodes").related_model
        heard = episodes.objects.published().filter(appearances__guest=OuterRef("pk"))
        return self.filter(Exists(heard) | Q(hosted_shows__isnull=False)).distinct()


class Guest(RenderedMarkdownModel):
    """A person heard on the show: a guest, a host, a producer."""

    RENDERED = ("bio",)

    name = models.CharField(max_length=128, help_text="As listeners should see it (at most 128).")
    slug = models.SlugField(max_length=140, help_text="Used in the guest's page URL.")
    title = models.CharField(
        max_length=200, blank=True, help_text="Job title, e.g. “ML Research Lead”."
    )
    organisation = models.CharField(max_length=200, blank=True, help_text="E.g. “TechCorp”.")
    bio = MarkdownxField(
        blank=True,
        validators=[max_chars(BIO_MAX_CHARS)],
        help_text=f"Markdown, at most {BIO_MAX_CHARS:,} characters. Shown on the guest's page.",
    )
    bio_html = models.TextField(
        blank=True, editable=False, help_text="The bio as sanitised HTML, made on save."
    )
    photo = models.ImageField(
        upload_to=UploadPath("photos"), blank=True, help_text="JPEG or PNG, any reasonable size."
    )
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    website = models.URLField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    objects = GuestQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"], name="guest_name_idx"),
            models.Index(Lower("name"), name="guest_name_lower_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="guest_unique_slug"),
            web_url("website", "guest_website_http"),
            length_at_most("bio", BIO_MAX_CHARS, "guest_bio_bounded"),
        ]

    def __str__(self) -> str:
        return self.name

    upload_folder = "guests"

    def save(self, *args, **kwargs) -> None:
        self.photo_renditions = refresh_renditions(self.photo, self.photo_renditions, PHOTO_WIDTHS)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("guests:detail", kwargs={"slug": self.slug})

    @property
    def affiliation(self) -> str:
        """“ML Research Lead at TechCorp”, or whichever half is known."""
        if self.title and self.organisation:
            return f"{self.title} at {self.organisation}"
        return self.title or self.organisation


class LinkKind(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    X = "x", "X (Twitter)"
    LINKEDIN = "linkedin", "LinkedIn"
    GITHUB = "github", "GitHub"
    YOUTUBE = "youtube", "YouTube"
    INSTAGRAM = "instagram", "Instagram"
    OTHER = "other", "Other"


class GuestLink(models.Model):
    Kind = LinkKind

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(max_length=500)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guest", "url"], name="guestlink_unique_url"),
            models.CheckConstraint(
                condition=models.Q(kind__in=LinkKind.values), name="guestlink_kind_valid"
            ),
            web_url("url", "guestlink_url_http"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.url}"
