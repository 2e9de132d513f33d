"""Listening figures in the admin: every show at a glance, then one show or one episode in full.

The pages flush the buffer and roll up first, so an editor sees downloads up to this minute.
"""

from collections.abc import Iterator

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from analytics import reports, store
from analytics.chart import bar_chart
from analytics.models import DailyDownloads
from episodes.models import Episode, Show


def csv_response(chunks: Iterator[str], filename: str) -> StreamingHttpResponse:
    """`day,show,episode_guid,downloads`, streamed: a year of a large archive is many rows."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(DailyDownloads)
class DownloadsAdmin(admin.ModelAdmin):
    """Shown as "Downloads": the dashboard replaces the list of rows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("show/<slug:slug>/", view(self.show_view), name="analytics_show"),
            path("show/<slug:slug>/csv/", view(self.show_csv), name="analytics_show_csv"),
            path("episode/<int:pk>/", view(self.episode_view), name="analytics_episode"),
            path("csv/", view(self.all_csv), name="analytics_csv"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            **extra,
        }

    def _check(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def changelist_view(self, request: HttpRequest, extra_context=None) -> TemplateResponse:
        self._check(request)
        store.catch_up()
        today = timezone.now().date()
        shows = [
            (show, reports.show_totals(show, today)) for show in Show.objects.order_by("title")
        ]
        context = self._context(request, title="Downloads", shows=shows)
        return TemplateResponse(request, "admin/analytics/overview.html", context)

    def show_view(self, request: HttpRequest, slug: str) -> TemplateResponse:
        self._check(request)
        show = get_object_or_404(Show, slug=slug)
        store.catch_up()
        report = reports.show_report(show, request.GET.get("page") or 1)
        context = self._context(
            request,
            title=f"Downloads: {show.title}",
            show=show,
            report=report,
            chart=bar_chart(report.series, f"Downloads per day of {show.title}, last 90 days"),
            csv_url=reverse("admin:analytics_show_csv", args=[show.slug]),
        )
        return TemplateResponse(request, "admin/analytics/report.html", context)

    def episode_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        self._check(request)
        episode = get_object_or_404(Episode.objects.select_related("show"), pk=pk)
        store.catch_up()
        report = reports.episode_report(episode)
        context = self._context(
            request,
            title=f"Downloads: {episode.title}",
            show=episode.show,
            episode=episode,
            report=report,
            chart=bar_chart(report.series, f"Downloads per day of {episode.title}, last 90 days"),
            csv_url=reverse("admin:analytics_show_csv", args=[episode.show.slug]),
        )
        return TemplateResponse(request, "admin/analytics/report.html", context)

    def show_csv(self, request: HttpRequest, slug: str) -> HttpResponse:
        self._check(request)
        show = get_object_or_404(Show, slug=slug)
        store.catch_up()
        return csv_response(reports.daily_csv(show.slug), f"downloads-{show.slug}.csv")

    def all_csv(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        store.catch_up()
        return csv_response(reports.daily_csv(), "downloads.csv")
