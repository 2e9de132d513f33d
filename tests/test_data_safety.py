"""Nothing listeners or podcast apps rely on disappears through the admin."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from episodes.models import Episode, Show
from guests.models import Guest
from tests import media_files
from tests.factories import AppearanceFactory, EpisodeFactory, GuestFactory, ShowFactory, TagFactory

pytestmark = pytest.mark.django_db


def url(name: str, obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[obj.pk])


def changelist(model) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def bulk_delete(client, model, objs):
    data = {"action": "delete_selected", "_selected_action": [o.pk for o in objs], "post": "yes"}
    return client.post(changelist(model), data)


def try_to_delete(client, obj) -> tuple[str, str]:
    """Delete `obj` from its delete page and then in bulk: the delete page, and the bulk answer."""
    page = client.get(url("delete", obj)).content.decode()
    client.post(url("delete", obj), {"post": "yes"})
    return page, bulk_delete(client, type(obj), [obj]).content.decode()


def deletes(client, obj) -> bool:
    """Whether the admin deletes `obj` (confirmed on its delete page)."""
    answer = client.post(url("delete", obj), {"post": "yes"})
    return answer.status_code == 302 and not type(obj).objects.filter(pk=obj.pk).exists()


def test_guest_with_appearances_is_not_deleted_and_the_page_says_where_they_appear(
    admin_client, episode
):
    guest = AppearanceFactory(episode=episode).guest
    page, _ = try_to_delete(admin_client, guest)
    assert "would require deleting the following protected related objects" in page
    assert Guest.objects.filter(pk=guest.pk).exists()


def test_host_of_a_show_is_not_deleted(admin_client, show):
    host = GuestFactory(name="Ada Host")
    show.hosts.add(host)
    page, _ = try_to_delete(admin_client, host)
    assert "protected related objects" in page and show.title in page
    assert show.hosts.get() == host
    assert deletes(admin_client, GuestFactory())


def test_show_with_episodes_is_not_deleted_one_by_one_or_in_bulk(admin_client, episode):
    assert admin_client.post(url("delete", episode.show), {"post": "yes"}).status_code == 403
    page = bulk_delete(admin_client, Show, [episode.show]).content.decode()
    assert "<title>Cannot delete show" in page
    assert Show.objects.filter(pk=episode.show.pk).exists()


def test_tag_in_use_is_not_deleted_and_the_page_names_its_episodes(admin_client, episode):
    tag = TagFactory(name="MLOps")
    episode.tags.add(tag)
    page, bulk = try_to_delete(admin_client, tag)
    assert "protected related objects" in page and episode.title in page
    assert "protected related objects" in bulk
    assert episode.tags.get() == tag
    assert deletes(admin_client, TagFactory())


def test_published_guid_cannot_be_changed_through_the_admin(editor_client, episode):
    data = media_files.admin_form_data(editor_client, url("change", episode))
    guid = episode.guid
    response = editor_client.post(url("change", episode), {**data, "guid": "a-new-identity"})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.guid == guid


@pytest.fixture
def published_with_file(show):
    episode = EpisodeFactory(show=show, audio_url="", audio_size=None)
    episode.audio_file.save("first.mp3", ContentFile(media_files.mp3(3)), save=True)
    return episode


def test_replacing_published_audio_keeps_the_old_file(editor_client, published_with_file):
    episode = published_with_file
    old = episode.audio_file.name
    data = media_files.admin_form_data(editor_client, url("change", episode))
    data["audio_file"] = SimpleUploadedFile("second.mp3", media_files.mp3(4))
    assert editor_client.post(url("change", episode), data).status_code == 302
    episode.refresh_from_db()
    assert episode.audio_file.name != old
    assert default_storage.exists(old) and default_storage.exists(episode.audio_file.name)


def test_clearing_published_audio_is_refused(editor_client, published_with_file):
    episode = published_with_file
    data = media_files.admin_form_data(editor_client, url("change", episode))
    response = editor_client.post(url("change", episode), {**data, "audio_file-clear": "on"})
    assert response.status_code == 200
    assert "audio cannot be removed" in response.content.decode()
    episode.refresh_from_db()
    assert episode.audio_file and default_storage.exists(episode.audio_file.name)


def test_a_draft_may_drop_its_audio_but_the_file_stays_on_disk(editor_client, published_with_file):
    episode = published_with_file
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.DRAFT)
    name = episode.audio_file.name
    data = media_files.admin_form_data(editor_client, url("change", episode))
    data.update({"audio_file-clear": "on", "audio_url": "", "audio_size": "", "duration": ""})
    assert editor_client.post(url("change", episode), data).status_code == 302
    episode.refresh_from_db()
    assert not episode.audio_file
    assert default_storage.exists(name)


def test_deleting_an_episode_leaves_its_audio_for_apps_that_still_fetch_it(
    admin_client, published_with_file
):
    name = published_with_file.audio_file.name
    assert admin_client.post(url("delete", published_with_file), {"post": "yes"}).status_code == 302
    assert not Episode.objects.filter(pk=published_with_file.pk).exists()
    assert default_storage.exists(name)


def test_every_admin_page_still_opens_for_objects_in_use(admin_client, episode):
    guest = AppearanceFactory(episode=episode).guest
    tag = TagFactory()
    episode.tags.add(tag)
    lonely = ShowFactory()
    for page in (url("delete", guest), url("delete", tag), url("delete", lonely)):
        assert admin_client.get(page).status_code == 200, page
