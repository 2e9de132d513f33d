"""The downloads dashboard: editors see it, it works under the CSP, and it reads small tables."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from analytics.models import DailyBreakdown, DailyDownloads, Dimension
from podcast.enclosures import audio_url
from tests.factories import EpisodeFactory

APP = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"


@pytest.fixture
def figures(show):
    """Two episodes with 60 days of daily figures, and one live download still in the buffer."""
    today = timezone.now().date()
    first, second = (EpisodeFactory(show=show, title=t) for t in ("First", "Second"))
    rows = []
    for episode, per_day in ((first, 3), (second, 5)):
        published = episode.pub_date.date()
        for n in range(60):
            day = today - timedelta(days=n + 1)
            age = (day - published).days
            rows.append(
                DailyDownloads(day=day, show=show, episode=episode, age=age, downloads=per_day)
            )
    for n in range(60):
        rows.append(DailyDownloads(day=today - timedelta(days=n + 1), show=show, downloads=8))
    DailyDownloads.objects.bulk_create(rows)
    DailyBreakdown.objects.bulk_create(
        DailyBreakdown(day=today - timedelta(days=1), show=show, dimension=d, value=v, downloads=n)
        for d, v, n in (
            (Dimension.APP, "Overcast", 6),
            (Dimension.APP, "Apple Podcasts", 2),
            (Dimension.DEVICE_CATEGORY, "mobile", 8),
            (Dimension.REFERRER, "Overcast", 1),
        )
    )
    return first, second


def test_editors_see_the_dashboard_with_a_chart_that_needs_no_inline_style(
    editor_client, client, show, figures
):
    first, _ = figures
    client.get(audio_url(first), HTTP_USER_AGENT=APP, REMOTE_ADDR="198.51.100.1")
    response = editor_client.get(reverse("admin:analytics_show", args=[show.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    doc = lxml_html.fromstring(body)
    totals = dict(
        zip(doc.xpath("//dl[@class='analytics-totals']//dt/text()"),
            doc.xpath("//dl[@class='analytics-totals']//dd/text()"), strict=True)
    )  # fmt: skip
    # The live download was flushed and rolled up before the page was drawn.
    assert totals["24 hours"] == "1"
    assert totals["7 days"] == str(6 * 8 + 1)
    assert totals["30 days"] == str(29 * 8 + 1)
    assert totals["All time"] == str(60 * 8 + 1)
    bars = doc.xpath("//svg[@class='analytics-chart']/rect[@class='bar']")
    assert len(bars) == 90
    assert "style=" not in body.split("<svg", 1)[1].split("</svg>")[0]
    assert "<script>" not in body and "<style" not in body
    assert "Top apps" in body and "Overcast" in body and "Device categories" in body
    launch_rows = doc.xpath("//section[@aria-labelledby='launch-heading']//tbody/tr")
    assert [row.xpath("string(th)") for row in launch_rows] == ["Second", "First"]


def test_the_episode_page_and_the_overview(editor_client, show, figures):
    first, _ = figures
    page = editor_client.get(reverse("admin:analytics_episode", args=[first.pk]))
    assert page.status_code == 200
    assert "First" in page.content.decode()
    overview = editor_client.get(reverse("admin:analytics_dailydownloads_changelist"))
    assert overview.status_code == 200
    assert reverse("admin:analytics_show", args=[show.slug]) in overview.content.decode()


def test_the_admin_csv_has_one_row_per_episode_per_day(editor_client, show, figures):
    response = editor_client.get(reverse("admin:analytics_show_csv", args=[show.slug]))
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "day,show,episode_guid,downloads"
    assert len(lines) == 1 + 2 * 60
    first, _ = figures
    assert any(line.endswith(f",{show.slug},{first.guid},3") for line in lines)


def test_the_dashboard_reads_a_fixed_number_of_queries(editor_client, show, figures):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:analytics_show", args=[show.slug])
    editor_client.get(url)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    EpisodeFactory.create_batch(20, show=show)
    with CaptureQueriesContext(connection) as many:
        editor_client.get(url)
    assert len(many) == len(few)


def test_only_staff_with_the_permission_see_downloads(client, show, django_user_model):
    url = reverse("admin:analytics_show", args=[show.slug])
    assert client.get(url).status_code == 302  # to the login page
    staff = django_user_model.objects.create_user("staff", "s@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_dailydownloads"))
    assert client.get(url).status_code == 200


def test_the_editors_group_may_view_downloads_from_its_migration(editor):
    assert editor.has_perm("analytics.view_dailydownloads")


def test_the_csv_is_the_same_from_postgresql_copy_and_from_python(show, figures, monkeypatch):
    from tests.conftest import requires_postgresql

    requires_postgresql("COPY is PostgreSQL's")
    from django.db import connection

    from analytics import reports

    # A guid that needs quoting, as imported ones may.
    figures[0].__class__.objects.filter(pk=figures[0].pk).update(guid='tag:x,2024:"1"')
    copied = "".join(reports.daily_csv(show.slug, 30))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert "".join(reports.daily_csv(show.slug, 30)) == copied
    assert '"tag:x,2024:""1"""' in copied
    assert copied.count("\n") == 1 + 2 * 29
