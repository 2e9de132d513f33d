from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from markdownx.admin import MarkdownxModelAdmin

from episodes.feed_checks import Problem, check_episode, check_show
from episodes.forms import (
    AlternateEnclosureForm,
    ChapterForm,
    ChapterFormSet,
    EpisodeAdminForm,
    LinkFormSet,
    ShowAdminForm,
    SoundbiteForm,
    ValueSplitFormSet,
)
from episodes.models import (
    AlternateEnclosure,
    Appearance,
    Chapter,
    Episode,
    EpisodeValueRecipient,
    PlatformLink,
    PodrollItem,
    Show,
    ShowBlock,
    ShowLink,
    ShowTxt,
    ShowValueRecipient,
    Soundbite,
    Tag,
    ValueTimeSplit,
)
from podcast.admin import KeepWhileInUse, RowsInline


def _problem_list(problems: list[Problem]) -> str:
    if not problems:
        return "None: directories will accept it."
    return format_html(
        "<ul>{}</ul>",
        format_html_join("", "<li><strong>{}</strong> {}</li>", _problem_rows(problems)),
    )


def _problem_rows(problems: list[Problem]) -> list[tuple[str, str]]:
    return [
        (p.level.capitalize(), f"{p.episode}: {p.message}" if p.episode else p.message)
        for p in problems
    ]


class ShowLinkInline(RowsInline):
    model = ShowLink
    formset = LinkFormSet


class ShowTxtInline(RowsInline):
    model = ShowTxt
    fields = ["purpose", "text"]


class ShowBlockInline(RowsInline):
    model = ShowBlock
    fields = ["service", "blocked"]


class PodrollInline(RowsInline):
    model = PodrollItem
    fields = ["title", "feed_url", "feed_guid", "order"]


class ValueRecipientInline(RowsInline):
    """podcast:value recipients, a show's or an episode's: their splits are checked together."""

    formset = ValueSplitFormSet
    fields = ["name", "address", "split", "fee", "custom_key", "custom_value", "order"]


class ShowValueRecipientInline(ValueRecipientInline):
    model = ShowValueRecipient


@admin.register(Show)
class ShowAdmin(admin.ModelAdmin):
    form = ShowAdminForm
    list_display = ["title", "slug", "author", "category", "show_type", "explicit", "updated"]
    search_fields = ["title", "author", "owner_name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["podcast_guid", "feed_link", "feed_problems", "created", "updated"]
    autocomplete_fields = ["hosts"]
    inlines = [
        ShowLinkInline, ShowTxtInline, ShowBlockInline, PodrollInline, ShowValueRecipientInline,
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["title", "slug", "subtitle", "description", "cover_art", "hosts"]}),
        ("People", {"fields": ["author", "owner_name", "owner_email", "copyright"]}),
        (
            "Directory listing",
            {"fields": ["language", "category", "subcategory", "explicit", "show_type", "website"]},
        ),
        ("Support", {"fields": ["funding_url", "funding_text", "value_suggested"]}),
        (
            "Podcasting 2.0",
            {
                "fields": [
                    "medium", "cover_art_alt", "trailer", "update_frequency", "update_rrule",
                    "update_dtstart", "license", "license_url", "location_name", "location_geo",
                    "location_osm", "location_country", "location_rel", "publisher_name",
                    "publisher_feed_url", "publisher_feed_guid",
                ],
                "description": "Tags Podcasting 2.0 apps read. Empty fields stay out of the feed.",
            },
        ),
        (
            "Feed",
            {
                "fields": [
                    "feed_link", "feed_problems", "podcast_guid", "locked", "complete",
                    "new_feed_url",
                    "created", "updated",
                ]
            },
        ),
    ]  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "trailer":
            # Only this show's own episodes can be its trailer.
            show_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Episode.objects.filter(show_id=show_id).newest_first()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Feed URL")
    def feed_link(self, show: Show) -> str:
        return show.feed_url if show.pk else "—"

    @admin.display(description="Feed problems (manage.py check_feed)")
    def feed_problems(self, show: Show) -> str:
        return _problem_list(check_show(show)) if show.pk else "—"

    def has_delete_permission(self, request: HttpRequest, obj: Show | None = None) -> bool:
        # A show with episodes is never deleted from the admin: its feed has subscribers.
        if obj is not None and obj.episodes.exists():
            return False
        return super().has_delete_permission(request, obj)


class AppearanceInline(RowsInline):
    model = Appearance
    autocomplete_fields = ["guest"]
    fields = ["guest", "role", "order"]


class PlatformLinkInline(RowsInline):
    model = PlatformLink
    formset = LinkFormSet
    fields = ["platform", "label", "url"]


class ChapterInline(RowsInline):
    model = Chapter
    form = ChapterForm
    formset = ChapterFormSet
    fields = ["start_time", "title", "url"]


class SoundbiteInline(RowsInline):
    model = Soundbite
    form = SoundbiteForm
    fields = ["start_time", "duration", "title"]


class AlternateEnclosureInline(admin.StackedInline):
    model = AlternateEnclosure
    form = AlternateEnclosureForm
    extra = 0
    readonly_fields = [
        "mime_type", "codecs", "size", "bitrate", "duration", "integrity", "read_problem",
    ]  # fmt: skip
    fields = ["title", "file", "url", *readonly_fields, "other_sources", "order"]


class EpisodeValueRecipientInline(ValueRecipientInline):
    model = EpisodeValueRecipient


class ValueTimeSplitInline(RowsInline):
    model = ValueTimeSplit
    fields = ["start_time", "duration", "name", "address", "split", "custom_key", "custom_value"]


def answer_upload_script(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A save the upload script sent: it follows the redirect itself, from JSON.

    Its request would otherwise follow the redirect unseen and spend the "saved" message there.
    """
    if (
        request.method == "POST"
        and request.headers.get("X-Upload-Progress")
        and response.status_code in (301, 302, 303)
    ):
        return JsonResponse({"location": response["Location"]})
    return response


@admin.register(Episode)
class EpisodeAdmin(MarkdownxModelAdmin):
    form = EpisodeAdminForm
    list_display = [
        "title", "show", "episode_number", "season_number", "status_display", "pub_date",
        "duration_display",
    ]  # fmt: skip
    list_filter = ["show", "status", "season_number", "episode_type", "tags"]
    list_select_related = ["show"]
    search_fields = ["title", "summary", "guid", "slug"]
    date_hierarchy = "pub_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags"]
    readonly_fields = ["guid", "feed_problems", "created", "updated"]
    inlines = [
        AppearanceInline, PlatformLinkInline, ChapterInline, SoundbiteInline,
        AlternateEnclosureInline, EpisodeValueRecipientInline, ValueTimeSplitInline,
    ]  # fmt: skip
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["show", "title", "slug", "summary", "show_notes", "tags"]}),
        (
            "Publishing",
            {"fields": ["status", "pub_date", "explicit", "episode_type", "feed_problems"]},
        ),
        ("Numbering", {"fields": ["season_number", "episode_number"]}),
        (
            "Audio",
            {
                "fields": [
                    "audio_file",
                    "audio_url",
                    "audio_size",
                    "audio_mime_type",
                    "duration",
                    "audio_bitrate",
                ]
            },
        ),
        ("Artwork and transcript", {"fields": ["cover_art", "cover_art_url", "transcript"]}),
        (
            "Podcasting 2.0",
            {
                "fields": [
                    "license",
                    "license_url",
                    "location_name",
                    "location_geo",
                    "location_osm",
                    "location_country",
                    "location_rel",
                    "social_uri",
                    "social_protocol",
                    "social_account_id",
                    "social_account_url",
                ],
                "description": "Tags Podcasting 2.0 apps read. Empty fields stay out of the feed.",
            },
        ),
        ("Identity", {"fields": ["guid", "created", "updated"], "classes": ["collapse"]}),
    ]

    class Media:
        js = ["js/upload-progress.js"]
        css = {"all": ["css/upload-progress.css"]}

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        return answer_upload_script(request, response)

    @admin.display(description="Feed problems")
    def feed_problems(self, episode: Episode) -> str:
        return _problem_list(check_episode(episode)) if episode.pk else "—"

    @admin.display(description="Status", ordering="status")
    def status_display(self, episode: Episode) -> str:
        if episode.is_scheduled:
            return "Scheduled"
        return episode.get_status_display().split(" ")[0]

    @admin.display(description="Duration", ordering="duration")
    def duration_display(self, episode: Episode) -> str:
        return episode.duration_display or "—"

    @admin.action(description="Publish selected episodes (now, unless already dated)")
    def publish(self, request: HttpRequest, queryset: QuerySet[Episode]) -> None:
        now = timezone.now()
        count = 0
        for episode in queryset.filter(status=Episode.Status.DRAFT):
            episode.status = Episode.Status.PUBLISHED
            episode.pub_date = episode.pub_date or now
            episode.save(update_fields=["status", "pub_date", "updated"])
            count += 1
        self.message_user(request, f"Published {count} episode(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected episodes (back to draft)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Episode]) -> None:
        count = 0
        for episode in queryset.filter(status=Episode.Status.PUBLISHED):
            episode.status = Episode.Status.DRAFT
            episode.save(update_fields=["status", "updated"])
            count += 1
        self.message_user(request, f"Unpublished {count} episode(s).", messages.SUCCESS)


@admin.register(Tag)
class TagAdmin(KeepWhileInUse, admin.ModelAdmin):
    # A tag in use names pages listeners may have bookmarked: untag the episodes first.
    users_of = ["episodes"]
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
