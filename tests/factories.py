from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from episodes.models import Appearance, Chapter, Episode, PlatformLink, Show, ShowLink, Tag
from guests.models import Guest


class ShowFactory(DjangoModelFactory):
    class Meta:
        model = Show
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Show {n}")
    slug = factory.Sequence(lambda n: f"show-{n}")
    description = "A show about things."
    author = "Ada Host"
    owner_name = "Ada Host"
    owner_email = "ada@example.com"


class GuestFactory(DjangoModelFactory):
    class Meta:
        model = Guest

    name = factory.Sequence(lambda n: f"Guest {n}")
    slug = factory.Sequence(lambda n: f"guest-{n}")
    title = "Researcher"
    organisation = "Lab"


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class EpisodeFactory(DjangoModelFactory):
    class Meta:
        model = Episode

    show = factory.SubFactory(ShowFactory)
    title = factory.Sequence(lambda n: f"Episode title {n}")
    slug = factory.Sequence(lambda n: f"episode-{n}")
    summary = "What this episode is about."
    show_notes = "Some **notes**."
    status = Episode.Status.PUBLISHED
    # A day before the moment each is made, later ones a microsecond later each: any number of
    # episodes stays published, newest last made.
    pub_date = factory.Sequence(
        lambda n: timezone.now() - timedelta(days=1) + timedelta(microseconds=n)
    )
    audio_url = factory.Sequence(lambda n: f"https://cdn.example.com/audio/episode-{n}.mp3")
    audio_size = 1_234_567
    audio_mime_type = "audio/mpeg"
    duration = 1800

    class Params:
        draft = factory.Trait(status=Episode.Status.DRAFT, pub_date=None)
        scheduled = factory.Trait(
            pub_date=factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
        )


class AppearanceFactory(DjangoModelFactory):
    class Meta:
        model = Appearance

    episode = factory.SubFactory(EpisodeFactory)
    guest = factory.SubFactory(GuestFactory)
    role = Appearance.Role.GUEST


class PlatformLinkFactory(DjangoModelFactory):
    class Meta:
        model = PlatformLink

    episode = factory.SubFactory(EpisodeFactory)
    platform = PlatformLink._meta.get_field("platform").choices[0][0]
    url = "https://podcasts.apple.com/podcast/example"


class ShowLinkFactory(DjangoModelFactory):
    class Meta:
        model = ShowLink

    show = factory.SubFactory(ShowFactory)
    platform = "spotify"
    url = "https://open.spotify.com/show/example"


class ChapterFactory(DjangoModelFactory):
    class Meta:
        model = Chapter

    episode = factory.SubFactory(EpisodeFactory)
    start_time = factory.Sequence(lambda n: n * 60)
    title = factory.Sequence(lambda n: f"Chapter {n}")
