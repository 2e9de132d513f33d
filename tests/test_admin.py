import pytest
from django.contrib import admin
from django.urls import reverse

from episodes.models import Episode
from tests.factories import (
    EpisodeFactory,
    GuestFactory,
    ShowFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def admin_urls(objects: dict) -> list[str]:
    urls = []
    for model in (type(obj) for obj in objects.values()):
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    for obj in objects.values():
        opts = obj._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return urls


@pytest.fixture
def editorial_objects(content):
    return {
        "show": content.show,
        "episode": content,
        "guest": content.appearances.first().guest,
        "tag": content.tags.first(),
    }


def test_every_registered_model_has_working_admin_pages_for_a_superuser(admin_client, content):
    request = admin_client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        views = ["changelist"] + (["add"] if model_admin.has_add_permission(request) else [])
        for view in views:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            assert admin_client.get(url).status_code == 200, url


def test_editor_opens_every_editorial_admin_page(editor_client, editorial_objects):
    assert editor_client.get(reverse("admin:index")).status_code == 200
    for url in admin_urls(editorial_objects):
        response = editor_client.get(url)
        assert response.status_code == 200, url
    filtered = reverse("admin:episodes_episode_changelist") + "?status__exact=published&q=Episode"
    assert editor_client.get(filtered).status_code == 200


def test_editor_is_refused_user_and_group_admin(editor_client):
    for name in ("auth_user_changelist", "auth_group_changelist", "auth_user_add"):
        assert editor_client.get(reverse(f"admin:{name}")).status_code == 403


def test_episode_admin_shows_the_markdown_editor(editor_client, content):
    url = reverse("admin:episodes_episode_change", args=[content.pk])
    body = editor_client.get(url).content.decode()
    assert "markdownx" in body
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in body


def test_editor_writes_and_publishes_an_episode_through_the_admin(editor_client, show):
    guest = GuestFactory()
    tag = TagFactory()
    data = {
        "show": show.pk,
        "title": "Written in the admin",
        "slug": "written-in-the-admin",
        "summary": "Summary",
        "show_notes": "Notes with **bold**",
        "tags": [tag.pk],
        "status": "draft",
        "episode_type": "full",
        "audio_url": "https://cdn.example.com/a.mp3",
        "audio_size": "1000",
        "audio_mime_type": "audio/mpeg",
        "duration": "60",
        "appearances-TOTAL_FORMS": "1",
        "appearances-INITIAL_FORMS": "0",
        "appearances-0-guest": guest.pk,
        "appearances-0-role": "guest",
        "appearances-0-order": "1",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-0-platform": "spotify",
        "links-0-url": "https://open.spotify.com/episode/x",
        "chapters-TOTAL_FORMS": "0",
        "chapters-INITIAL_FORMS": "0",
    }
    for inline in ("soundbites", "alternate_enclosures", "value_recipients", "value_splits"):
        data |= {f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"}
    response = editor_client.post(reverse("admin:episodes_episode_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    episode = Episode.objects.get(slug="written-in-the-admin")
    assert episode.status == "draft" and episode.appearances.count() == 1
    assert episode.links.get().platform == "spotify"

    changelist = reverse("admin:episodes_episode_changelist")
    editor_client.post(changelist, {"action": "publish", "_selected_action": [episode.pk]})
    episode.refresh_from_db()
    assert episode.is_published


def test_unpublish_action_returns_episodes_to_draft(editor_client, content):
    changelist = reverse("admin:episodes_episode_changelist")
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [content.pk]})
    content.refresh_from_db()
    assert content.status == Episode.Status.DRAFT


def test_guid_is_read_only_in_the_admin(editor_client, content):
    url = reverse("admin:episodes_episode_change", args=[content.pk])
    form = editor_client.get(url).context["adminform"].form
    assert "guid" not in form.fields


def test_view_on_site_lets_staff_preview_a_draft_but_nobody_else(client, editor_client, show):
    draft = EpisodeFactory(show=show, draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "not public yet" in response.content.decode()


def test_autocomplete_for_guests_and_tags_answers_editors(editor_client, content):
    url = reverse("admin:autocomplete")
    for model, field in (("appearance", "guest"), ("episode", "tags")):
        params = {"app_label": "episodes", "model_name": model, "field_name": field, "term": ""}
        assert editor_client.get(url, params).status_code == 200


def test_show_with_episodes_offers_no_delete(admin_client, content):
    url = reverse("admin:episodes_show_delete", args=[content.show.pk])
    assert admin_client.get(url).status_code == 403
    lonely = ShowFactory()
    assert (
        admin_client.get(reverse("admin:episodes_show_delete", args=[lonely.pk])).status_code == 200
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("spotify", "", "https://a.example"), ("spotify", "", "https://b.example")], "already"),
        ([("other", "", "https://a.example"), ("other", "", "https://b.example")], "label"),
    ],
)
def test_duplicate_platform_links_get_a_form_error_not_a_500(editor_client, content, rows, message):
    from tests.media_files import admin_form_data

    url = reverse("admin:episodes_episode_change", args=[content.pk])
    data = admin_form_data(editor_client, url)
    initial = int(data["links-TOTAL_FORMS"])
    for offset, (platform, label, link) in enumerate(rows):
        index = initial + offset
        data |= {
            f"links-{index}-platform": platform,
            f"links-{index}-label": label,
            f"links-{index}-url": link,
        }
    data["links-TOTAL_FORMS"] = str(initial + len(rows))
    before = content.links.count()
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert message in str(response.context["inline_admin_formsets"][1].formset.errors)
    assert content.links.count() == before


def test_duplicate_show_links_get_a_form_error(editor_client, show):
    from tests.media_files import admin_form_data

    url = reverse("admin:episodes_show_change", args=[show.pk])
    data = admin_form_data(editor_client, url)
    initial = int(data["links-TOTAL_FORMS"])
    for offset in range(2):
        data |= {
            f"links-{initial + offset}-platform": "apple",
            f"links-{initial + offset}-url": f"https://apple.example/{offset}",
        }
    data["links-TOTAL_FORMS"] = str(initial + 2)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert not show.links.exists()


def test_the_editors_group_comes_from_its_data_migration():
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from podcast import editors

    applied = MigrationRecorder(connection).migration_qs
    assert applied.filter(app="episodes", name__startswith="0001_squashed").exists()
    Group.objects.filter(name="Editors").delete()
    editors.grant(apps, *editors.GRANTS)
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    for model in ("show", "episode", "guest", "tag", "appearance", "platformlink", "chapter"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert not {name for name in codenames if name.endswith(("_user", "_group", "_permission"))}


def test_editors_read_the_notification_log_but_cannot_edit_it(editor_client, show):
    from django.utils import timezone

    from notify.models import Notification

    sent = Notification.objects.create(
        show=show,
        kind=Notification.Kind.WEBSUB,
        target="https://hub.example.com/",
        feed_url=show.feed_url,
        reason="“Pilot” published",
        status=Notification.Status.SENT,
        status_code=204,
        created=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    changelist = editor_client.get(reverse("admin:notify_notification_changelist"))
    assert changelist.status_code == 200
    assert "“Pilot” published" in changelist.content.decode()
    assert (
        editor_client.get(reverse("admin:notify_notification_change", args=[sent.pk])).status_code
        == 200
    )
    assert editor_client.get(reverse("admin:notify_notification_add")).status_code == 403
