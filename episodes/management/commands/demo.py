"""Load demo content: one show, two seasons, guests, tags, links, real playable MP3s as long as
their episodes say, a transcript and chapters."""

import secrets
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from episodes.models import (
    Appearance,
    Chapter,
    Episode,
    Platform,
    PlatformLink,
    Show,
    ShowLink,
    Tag,
)
from episodes.podcasting20.demo import add_demo_podcasting20
from guests.models import Guest
from guests.parsing import parse_guest_line
from podcast.generate import cover_art, tone_mp3
from podcast.media import read_audio, read_transcript, stored_audio_seconds
from podcast.text import parse_duration

SAMPLE_NOTES = """\
In this episode, I'm joined by Dr. Jane Smith and Alex Johnson to discuss the real-world \
challenges of deploying machine learning models in production environments.

## Episode Highlights

- 02:15 The gap between research and production ML systems
- 10:40 Common pitfalls in ML deployment pipelines
- 21:05 Strategies for monitoring model performance in production
- 30:12 Handling data drift and model degradation
- 38:50 Building robust ML infrastructure
- 44:00 The importance of cross-functional collaboration

## About the Guests

**Dr. Jane Smith** is the ML Research Lead at TechCorp, where she bridges the gap between \
cutting-edge research and practical applications.

**Alex Johnson** is a Senior ML Engineer at AI Solutions with over 8 years of experience \
deploying ML systems at scale.

## Resources Mentioned

- [MLOps: Continuous delivery and automation pipelines in machine learning](https://example.com/mlops-paper)
- [Monitoring Machine Learning Models in Production](https://example.com/monitoring-ml)
- [TensorFlow Extended (TFX)](https://www.tensorflow.org/tfx)
- [Kubeflow](https://www.kubeflow.org/)
"""

# The demo's guests, as an editor types them; each is one guest however many episodes name them.
JANE = "Dr. Jane Smith, ML Research Lead at TechCorp"
ALEX = "Alex Johnson, Senior MLOps Engineer"
PRIYA = "Priya Natarajan, Mobile ML Engineer at Pocketlabs"
MARCO = "Marco Bianchi, Staff Data Engineer at Railyard"

EPISODES = [
    {
        "title": "The Challenges of ML Engineering in Production",
        "summary": "Discussing real-world challenges of deploying machine learning models in "
        "production environments.",
        "pub_date": datetime(2023, 7, 20, 9, 0, tzinfo=UTC),
        "duration": "45:32",
        "season": 1,
        "number": 1,
        "guests": [JANE, ALEX],
        "tags": ["machine learning", "engineering", "production", "MLOps"],
        "links": {
            Platform.SPOTIFY: "https://spotify.com/show/example",
            Platform.APPLE: "https://podcasts.apple.com/podcast/example",
            Platform.GOOGLE: "https://podcasts.google.com/feed/example",
            Platform.YOUTUBE: "https://youtube.com/watch?v=example",
        },
        "notes": SAMPLE_NOTES,
    },
    {
        "title": "Feature Stores Without the Hype",
        "summary": "What a feature store really buys a small team, and when a database table "
        "is enough.",
        "pub_date": datetime(2023, 8, 3, 9, 0, tzinfo=UTC),
        "duration": "38:14",
        "season": 1,
        "number": 2,
        "guests": [ALEX],
        "tags": ["MLOps", "data"],
    },
    {
        "title": "Evaluating Language Models Honestly",
        "summary": "Benchmarks, leaks and the evaluations that predict how a model behaves "
        "with real users.",
        "pub_date": datetime(2023, 8, 17, 9, 0, tzinfo=UTC),
        "duration": "52:07",
        "season": 1,
        "number": 3,
        "guests": [JANE],
        "tags": ["machine learning", "evaluation"],
    },
    {
        "title": "Shipping Models to Phones",
        "summary": "Quantisation, distillation and the budget of a battery.",
        "pub_date": datetime(2024, 2, 1, 9, 0, tzinfo=UTC),
        "duration": "41:50",
        "season": 2,
        "number": 1,
        "guests": [PRIYA],
        "tags": ["engineering", "edge"],
    },
    {
        "title": "Data Contracts in Practice",
        "summary": "How teams agree on data before it breaks a model in production.",
        "pub_date": datetime(2024, 2, 15, 9, 0, tzinfo=UTC),
        "duration": "36:25",
        "season": 2,
        "number": 2,
        "guests": [MARCO],
        "tags": ["data", "production"],
    },
    {
        "title": "On-Call for Machine Learning",
        "summary": "Alerts that mean something, runbooks for drift and the postmortem culture "
        "ML teams need.",
        "pub_date": datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        "duration": "48:03",
        "season": 2,
        "number": 3,
        "guests": [ALEX, PRIYA],
        "tags": ["production", "MLOps"],
    },
]

HOST = "Sam Rivera, Host of Shipping ML"

SHOW = {
    "title": "Shipping ML",
    "subtitle": "Machine learning, from notebook to production",
    "description": "Conversations with the engineers and researchers who take machine learning "
    "out of the lab and into products people rely on.",
    "author": "Sam Rivera",
    "owner_name": "Sam Rivera",
    "owner_email": "podcast@example.com",
    "language": "en",
    "category": "Technology",
    "copyright": "© 2023–2026 Sam Rivera",
    "website": "https://example.com",
    "funding_url": "https://example.com/support",
}

SHOW_LINKS = {
    Platform.APPLE: "https://podcasts.apple.com/podcast/example",
    Platform.SPOTIFY: "https://open.spotify.com/show/example",
    Platform.YOUTUBE: "https://youtube.com/@example",
}

SAMPLE_CHAPTERS = [
    (0, "Introductions"),
    (135, "The gap between research and production ML systems"),
    (640, "Common pitfalls in ML deployment pipelines"),
    (1265, "Monitoring model performance in production"),
    (1812, "Handling data drift and model degradation"),
    (2330, "Building robust ML infrastructure"),
    (2640, "The importance of cross-functional collaboration"),
]

SAMPLE_TRANSCRIPT = """WEBVTT

00:00:00.000 --> 00:00:06.000
<v Sam Rivera>Welcome to Shipping ML. I'm Sam Rivera.

00:00:06.000 --> 00:00:12.000
<v Sam Rivera>Today I'm joined by Dr. Jane Smith and Alex Johnson.

00:02:15.000 --> 00:02:22.000
<v Jane Smith>Research code answers one question once; production code answers it every day.

00:10:40.000 --> 00:10:47.000
<v Alex Johnson>Most pipelines fail quietly: the model still answers, just worse.

00:21:05.000 --> 00:21:11.000
<v Jane Smith>Monitor the inputs as closely as the outputs.

00:44:00.000 --> 00:44:06.000
<v Alex Johnson>None of it works unless the whole team owns the model together.
"""


class Command(BaseCommand):
    help = "Load demo content (safe to run any number of times) and print an editor login."

    # Each step gets the episode and its entry in EPISODES; a new kind of demo data is one more.
    episode_steps = ("audio", "people", "tags", "links", "transcript_and_chapters")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        host = self.guest(HOST)
        show, created = self.show(host)
        for index, data in enumerate(EPISODES):
            data = {**data, "index": index, "host": host}
            episode = self.episode(show, data)
            for step in self.episode_steps:
                getattr(self, step)(episode, data)

        add_demo_podcasting20(show)
        self.stdout.write(
            f"Demo show “{show.title}” {'created' if created else 'up to date'}: "
            f"{show.episodes.count()} episodes."
        )
        self.editor_login()

    def guest(self, line: str) -> Guest:
        parsed = parse_guest_line(line)
        guest, _ = Guest.objects.get_or_create(
            slug=parsed.slug,
            defaults={
                "name": parsed.name,
                "title": parsed.title,
                "organisation": parsed.organisation,
            },
        )
        return guest

    def show(self, host: Guest) -> tuple[Show, bool]:
        show, created = Show.objects.get_or_create(slug="shipping-ml", defaults=SHOW)
        if not show.cover_art:
            show.cover_art.save("shipping-ml.png", ContentFile(cover_art("Shipping ML")))
        elif not show.cover_art_renditions.get("files"):
            show.save()  # databases from before renditions existed
        show.hosts.add(host)
        for platform, url in SHOW_LINKS.items():
            ShowLink.objects.get_or_create(show=show, platform=platform, defaults={"url": url})
        return show, created

    def episode(self, show: Show, data: dict) -> Episode:
        episode, _ = Episode.objects.get_or_create(
            show=show,
            slug=slugify(data["title"]),
            defaults={
                "title": data["title"],
                "summary": data["summary"],
                "show_notes": data.get("notes", data["summary"]),
                "status": Episode.Status.PUBLISHED,
                "pub_date": data["pub_date"],
                "season_number": data["season"],
                "episode_number": data["number"],
            },
        )
        return episode

    def audio(self, episode: Episode, data: dict) -> None:
        """A file of its own (and its own pitch: apps tell enclosures apart) as long as it says.

        Demos made before the audio matched its duration get theirs replaced.
        """
        seconds = parse_duration(data["duration"])
        if episode.audio_url or (
            episode.audio_file
            and episode.duration == seconds
            and stored_audio_seconds(episode.audio_file) == seconds
        ):
            return
        if episode.audio_file:
            episode.audio_file.delete(save=False)
        audio = tone_mp3(
            seconds, sample_rate=8000, bitrate_kbps=8, base_hz=330 + 55 * data["index"]
        )
        episode.audio_file.save(f"{episode.slug}.mp3", ContentFile(audio), save=False)
        with episode.audio_file.open("rb") as handle:
            info = read_audio(handle)
        episode.audio_size = info.size
        episode.audio_mime_type = info.mime_type
        episode.duration = info.duration
        episode.audio_bitrate = info.bitrate
        episode.save()

    def people(self, episode: Episode, data: dict) -> None:
        Appearance.objects.get_or_create(
            episode=episode, guest=data["host"], role=Appearance.Role.HOST
        )
        for order, line in enumerate(data["guests"], start=1):
            Appearance.objects.get_or_create(
                episode=episode,
                guest=self.guest(line),
                role=Appearance.Role.GUEST,
                defaults={"order": order},
            )

    def tags(self, episode: Episode, data: dict) -> None:
        for name in data["tags"]:
            tag, _ = Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            episode.tags.add(tag)

    def links(self, episode: Episode, data: dict) -> None:
        for platform, url in data.get("links", {}).items():
            PlatformLink.objects.get_or_create(
                episode=episode, platform=platform, defaults={"url": url}
            )

    def transcript_and_chapters(self, episode: Episode, data: dict) -> None:
        if "notes" not in data:
            return
        if not episode.transcript:
            content = SAMPLE_TRANSCRIPT.encode()
            info = read_transcript(ContentFile(content), "transcript.vtt")
            episode.transcript.save("transcript.vtt", ContentFile(content), save=False)
            episode.transcript_text = info.text
            episode.transcript_mime_type = info.mime_type
            episode.save()
        for start, title in SAMPLE_CHAPTERS:
            Chapter.objects.get_or_create(
                episode=episode, start_time=start, defaults={"title": title}
            )

    def editor_login(self) -> None:
        """The same login on every run: its password is kept in a local file, never reset.

        An editor who changed the password in the admin keeps theirs, and is told so.
        """
        saved = Path(settings.DEMO_LOGIN_FILE)
        password = saved.read_text().strip() if saved.is_file() else ""
        editor, created = get_user_model().objects.get_or_create(
            username="editor", defaults={"email": "editor@example.com"}
        )
        if created or not password or not editor.has_usable_password():
            password = password or secrets.token_urlsafe(12)
            editor.set_password(password)
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.touch(mode=0o600)
            saved.write_text(password + "\n")
        editor.is_staff = True
        editor.save()
        editor.groups.add(Group.objects.get(name="Editors"))
        if editor.check_password(password):
            message = f"Editor login: username “editor”, password “{password}”"
            self.stdout.write(self.style.SUCCESS(message))
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Editor login: username “editor”, with the password given to it in the "
                    "admin since (the demo leaves it alone; `python manage.py changepassword "
                    "editor` sets another)."
                )
            )
