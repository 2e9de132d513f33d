from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from episodes.models import Show
from notify.announce import is_configured, notify_now
from notify.models import FeedState, Notification

RECENT = 10


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created", "show", "kind", "target", "reason", "status", "result", "attempts"]
    list_filter = ["status", "kind", "show"]
    list_select_related = ["show"]
    search_fields = ["reason", "target", "error"]
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class ShowNotificationsMixin:
    """A show's recent notifications and a “Notify now” button, on its admin page and list."""

    actions = ["notify_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Show | None = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "recent_notifications"]

    def get_fieldsets(self, request: HttpRequest, obj: Show | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        title = "Notifications to podcast apps (WebSub and Podping)"
        return [*fieldsets, (title, {"fields": ["recent_notifications"]})]

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(require_POST(self.notify_now_view))
        name = self._url_name("notify").removeprefix("admin:")
        return [path("<int:show_id>/notify/", view, name=name), *super().get_urls()]

    def _url_name(self, view: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    @admin.display(description="Recent notifications")
    def recent_notifications(self, show: Show) -> str:
        if not is_configured():
            note = mark_safe(
                "<p>No WebSub hub or Podping is configured (WEBSUB_HUBS, PODPING_URL and "
                "PODPING_TOKEN): apps learn of changes only when they next poll.</p>"
            )
        else:
            url = reverse(self._url_name("notify"), args=[show.pk])
            # A submit button of the change form posting elsewhere: no nested form, no script.
            note = format_html(
                '<p><button type="submit" class="button" formaction="{}" formnovalidate '
                'name="_notify_now">Notify now</button> Sent within seconds by the worker; '
                "every change to the feed is announced by itself.</p>",
                url,
            )
        state = FeedState.objects.filter(show=show, first_change_at__isnull=False).first()
        if state is not None:
            note = format_html(
                "{}<p>Next announcement at {} for: {}</p>",
                note,
                _when(state.due_at),
                "; ".join(state.reasons),
            )
        recent = show.notifications.all()[:RECENT]
        if not recent:
            return format_html("{}<p>None yet.</p>", note)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    _when(n.created),
                    n.get_kind_display(),
                    n.target,
                    n.reason,
                    n.get_status_display(),
                    f"{n.result} ({n.attempts} attempt{'s' if n.attempts != 1 else ''})",
                )
                for n in recent
            ),
        )
        return format_html(
            "{}<table><thead><tr><th>When</th><th>Where</th><th>Why</th><th>Status</th>"
            "<th>Result</th></tr></thead><tbody>{}</tbody></table>",
            note,
            rows,
        )

    def notify_now_view(self, request: HttpRequest, show_id: int) -> HttpResponseRedirect:
        show = get_object_or_404(Show, pk=show_id)
        if not self.has_change_permission(request, show):
            raise PermissionDenied
        self._notify(request, [show])
        return HttpResponseRedirect(reverse(self._url_name("change"), args=[show.pk]))

    @admin.action(description="Notify hubs and Podping now", permissions=["change"])
    def notify_selected(self, request: HttpRequest, queryset: QuerySet[Show]) -> None:
        self._notify(request, list(queryset))

    def _notify(self, request: HttpRequest, shows: list[Show]) -> None:
        if not is_configured():
            self.message_user(
                request,
                "No WebSub hub or Podping is configured: nothing was sent.",
                messages.WARNING,
            )
            return
        reason = f"“Notify now” by {request.user.get_username()}"
        count = sum(len(notify_now(show, reason)) for show in shows)
        self.message_user(
            request,
            f"{count} notification(s) queued for {len(shows)} show(s); results appear on the "
            "show's page within seconds.",
            messages.SUCCESS,
        )


# The show's own admin (episodes) knows nothing of notifications: this app extends it. Admin
# modules load in INSTALLED_APPS order, so episodes' is registered by now.
_EpisodesShowAdmin = type(admin.site.get_model_admin(Show))
admin.site.unregister(Show)


@admin.register(Show)
class ShowAdmin(ShowNotificationsMixin, _EpisodesShowAdmin):
    """The show's admin with its notifications."""
