import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from episodes.models import Appearance, Episode, PlatformLink, Show, podcast_guid_for
from tests import factories

pytestmark = pytest.mark.django_db


def refused(callable_) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_duplicate_slug_in_a_show_is_refused_by_the_database(episode):
    refused(lambda: Episode.objects.create(show=episode.show, title="Other", slug=episode.slug))


def test_same_slug_in_another_show_is_fine(episode):
    other = factories.EpisodeFactory(show=factories.ShowFactory(), slug=episode.slug)
    assert other.pk


def test_duplicate_guid_is_refused_by_the_database(episode):
    refused(lambda: factories.EpisodeFactory(show=episode.show, guid=episode.guid))


def test_guid_is_a_random_uuid_not_derived_from_title_or_slug(show):
    a = factories.EpisodeFactory(show=show, title="Same", slug="same-a")
    b = factories.EpisodeFactory(show=show, title="Same", slug="same-b")
    assert uuid.UUID(a.guid).version == 4
    assert a.guid != b.guid


def test_guid_may_be_a_foreign_string(show):
    episode = factories.EpisodeFactory(show=show, guid="https://old-host.example/?p=123")
    episode.refresh_from_db()
    assert episode.guid == "https://old-host.example/?p=123"


def test_guid_survives_title_slug_and_audio_changes(episode):
    guid = episode.guid
    episode.title, episode.slug, episode.audio_url = "Renamed", "renamed", "https://x.example/b.mp3"
    episode.save()
    episode.refresh_from_db()
    assert episode.guid == guid


def test_published_guid_cannot_be_changed(episode):
    episode.guid = str(uuid.uuid4())
    with pytest.raises(ValidationError):
        episode.save()


@pytest.mark.parametrize("field", ["episode_number", "season_number"])
def test_numbers_must_be_positive(show, field):
    refused(lambda: factories.EpisodeFactory(show=show, **{field: 0}))


def test_published_episode_needs_a_date(show):
    refused(
        lambda: factories.EpisodeFactory(show=show, status=Episode.Status.PUBLISHED, pub_date=None)
    )


def test_status_outside_choices_is_refused_by_the_database(show):
    refused(lambda: factories.EpisodeFactory(show=show, status="live"))


def test_one_audio_source_only(show):
    refused(
        lambda: factories.EpisodeFactory(show=show, audio_file="a.mp3", audio_url="https://x/a.mp3")
    )


def test_one_link_per_platform_but_several_others(episode):
    factories.PlatformLinkFactory(episode=episode, platform="spotify")
    refused(lambda: factories.PlatformLinkFactory(episode=episode, platform="spotify"))
    PlatformLink.objects.create(episode=episode, platform="other", label="Castbox", url="https://a")
    PlatformLink.objects.create(episode=episode, platform="other", label="Podbean", url="https://b")
    assert episode.links.count() == 3


def test_appearance_is_unique_per_episode_guest_and_role(episode):
    appearance = factories.AppearanceFactory(episode=episode)
    refused(lambda: factories.AppearanceFactory(episode=episode, guest=appearance.guest))
    factories.AppearanceFactory(episode=episode, guest=appearance.guest, role=Appearance.Role.HOST)


def test_a_guest_who_appeared_cannot_be_deleted(episode):
    from django.db.models import ProtectedError

    appearance = factories.AppearanceFactory(episode=episode)
    with pytest.raises(ProtectedError):
        appearance.guest.delete()


def test_tag_slug_is_unique(db):
    factories.TagFactory(slug="ml")
    refused(lambda: factories.TagFactory(slug="ml"))


def test_subcategory_must_belong_to_its_category(db):
    refused(lambda: factories.ShowFactory(category="Technology", subcategory="Books"))
    show = factories.ShowFactory(category="Arts", subcategory="Books")
    show.subcategory = "Tech News"
    with pytest.raises(ValidationError):
        show.full_clean()


def test_podcast_guid_follows_the_uuidv5_rule_and_is_stored_once(settings):
    settings.SITE_URL = "https://example.com"
    show = factories.ShowFactory(slug="rule")
    expected = uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.com/rule/feed.xml"
    )
    assert show.podcast_guid == expected == podcast_guid_for("https://example.com/rule/feed.xml/")
    settings.SITE_URL = "https://moved.example.org"
    show.slug = "renamed"
    show.save()
    show.refresh_from_db()
    assert show.podcast_guid == expected


def test_reserved_slug_is_refused_for_shows(db):
    show = factories.ShowFactory.build(slug="admin")
    with pytest.raises(ValidationError):
        show.full_clean()


def test_summary_over_4000_bytes_is_refused(episode):
    episode.summary = "é" * 2001  # 4,002 bytes
    with pytest.raises(ValidationError, match="4,000 bytes"):
        episode.full_clean()


def test_published_means_published_and_due(show):
    past = factories.EpisodeFactory(show=show)
    factories.EpisodeFactory(show=show, draft=True)
    future = factories.EpisodeFactory(show=show, scheduled=True)
    assert list(Episode.objects.published()) == [past]
    assert list(Episode.objects.scheduled()) == [future]
    assert future.is_scheduled and not future.is_published


def test_scheduled_episode_goes_live_at_its_time_without_an_edit(show, monkeypatch):
    future = factories.EpisodeFactory(show=show, pub_date=timezone.now() + timedelta(hours=1))
    assert not Episode.objects.published().exists()
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert list(Episode.objects.published()) == [future]


def test_guest_affiliation_reads_like_the_sample(db):
    guest = factories.GuestFactory(
        name="Dr. Jane Smith", title="ML Research Lead", organisation="TechCorp"
    )
    assert guest.affiliation == "ML Research Lead at TechCorp"


def test_show_with_episodes_is_protected(episode):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Show.objects.filter(pk=episode.show.pk).delete()


def test_the_factory_keeps_any_number_of_episodes_published(show):
    episodes = factories.EpisodeFactory.create_batch(2000, show=show)
    assert Episode.objects.published().filter(show=show).count() == 2000
    newest_first = list(
        Episode.objects.filter(show=show).newest_first().values_list("pk", flat=True)
    )
    assert newest_first == [e.pk for e in reversed(episodes)]


def test_previous_and_next_order_by_date_then_id_and_skip_what_is_not_public(show):
    moment = timezone.now() - timedelta(days=3)
    first, second, third = (factories.EpisodeFactory(show=show, pub_date=moment) for _ in range(3))
    factories.EpisodeFactory(show=show, draft=True)
    factories.EpisodeFactory(show=show, scheduled=True)
    factories.EpisodeFactory(pub_date=moment)  # another show's
    later = factories.EpisodeFactory(show=show, pub_date=moment + timedelta(hours=1))
    assert (second.previous(), second.next()) == (first, third)
    assert (first.previous(), third.next()) == (None, later)
    assert later.next() is None
    assert factories.EpisodeFactory(show=show, draft=True).previous() is None
