"""WebSub and Podping: every change to a published feed is announced once, by the worker.

Hubs are real HTTP servers on loopback. The clock is moved, never slept: `work()` runs, in this
process, what a `db_worker` runs with every task due by then. Tests commit for real
(transactional), since announcements are queued only after the editor's transaction commits.
"""

import time
from collections.abc import Iterator
from datetime import timedelta

import lxml.etree
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from episodes.models import Episode, Show
from notify.announce import deliver, go_live
from notify.models import Notification
from tests import factories
from tests.notify_servers import Hub, always_fail, fail_twice, serve
from tests.worker import work

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub(settings) -> Iterator[Hub]:
    with serve() as hub:
        settings.WEBSUB_HUBS = [hub.url]
        settings.ALLOW_PRIVATE_NOTIFY = True
        yield hub


@pytest.fixture
def live(db, settings) -> Episode:
    """A show with one live episode, made before any hub was configured."""
    show = factories.ShowFactory(slug="the-show", title="The Show")
    return live_episode(show=show, title="First light")


def live_episode(**fields) -> Episode:
    """Dated a day ago: the factory's own dates move on with its sequence, into the future."""
    return factories.EpisodeFactory(pub_date=timezone.now() - timedelta(days=1), **fields)


def publishes(hub: Hub) -> list[str]:
    return [r.form["hub.url"][0] for r in hub.received if r.form.get("hub.mode") == ["publish"]]


FEED_URL = "http://127.0.0.1:8000/the-show/feed.xml"


def test_the_feed_names_each_hub_beside_its_own_address(client, live, settings):
    settings.WEBSUB_HUBS = ["https://hub.example.com/", "https://pubsubhubbub.appspot.com/"]
    feed = lxml.etree.fromstring(client.get("/the-show/feed.xml").content)
    links = feed.findall("channel/{http://www.w3.org/2005/Atom}link")
    assert [(link.get("rel"), link.get("href")) for link in links] == [
        ("self", FEED_URL),
        ("hub", "https://hub.example.com/"),
        ("hub", "https://pubsubhubbub.appspot.com/"),
    ]


def test_a_feed_without_hubs_names_none(client, live):
    feed = lxml.etree.fromstring(client.get("/the-show/feed.xml").content)
    assert feed.findall("channel/{http://www.w3.org/2005/Atom}link[@rel='hub']") == []


def test_when_the_hubs_change_no_kept_copy_of_a_feed_names_the_old_ones(
    client, live, settings, clock
):
    hub_links = "channel/{http://www.w3.org/2005/Atom}link[@rel='hub']"
    call_command("notify_sweep", verbosity=0)
    assert lxml.etree.fromstring(client.get("/the-show/feed.xml").content).findall(hub_links) == []
    settings.WEBSUB_HUBS = ["https://hub.example.com/"]  # and a restart
    clock.move(minutes=1)
    call_command("notify_sweep", verbosity=0)
    feed = lxml.etree.fromstring(client.get("/the-show/feed.xml").content)
    assert [link.get("href") for link in feed.findall(hub_links)] == ["https://hub.example.com/"]
    stamped = Show.objects.get().updated
    clock.move(minutes=1)
    call_command("notify_sweep", verbosity=0)
    assert Show.objects.get().updated == stamped, "only a change of hubs stamps the shows"
    settings.WEBSUB_HUBS = []
    clock.move(minutes=1)
    call_command("notify_sweep", verbosity=0)
    assert lxml.etree.fromstring(client.get("/the-show/feed.xml").content).findall(hub_links) == []


def test_five_edits_in_a_burst_make_one_notification_within_30_seconds(live, hub, clock):
    for number in range(5):
        live.title = f"First light, take {number}"
        live.save()
        clock.move(seconds=2)
    last_change = clock.now - timedelta(seconds=2)
    work()
    assert hub.received == [], "nothing is sent while the editor is still at it"
    clock.move(seconds=10)
    work()
    assert publishes(hub) == [FEED_URL]
    assert hub.received[0].at - last_change <= timedelta(seconds=30)
    assert hub.received[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    clock.move(minutes=10)
    work()
    assert len(hub.received) == 1
    notification = Notification.objects.get()
    assert (notification.status, notification.status_code) == (Notification.Status.SENT, 202)
    assert notification.reason.startswith("“First light, take 0” edited")


def test_every_hub_and_podping_hear_once_of_a_burst(live, settings, clock):
    with serve() as first, serve() as second, serve(path="/") as gateway:
        settings.WEBSUB_HUBS = [first.url, second.url]
        settings.PODPING_URL, settings.PODPING_TOKEN = gateway.url, "token"
        settings.ALLOW_PRIVATE_NOTIFY = True
        for number in range(3):
            live.title = f"Take {number}"
            live.save()
        clock.move(seconds=30)
        work()
        assert publishes(first) == publishes(second) == [FEED_URL]
        assert [r.query["url"] for r in gateway.received] == [[FEED_URL]]
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "podping", "websub", "websub",
    ]  # fmt: skip


def test_an_editor_who_never_stops_still_reaches_the_hub_within_30_seconds(live, hub, clock):
    started = clock.now
    for number in range(20):
        live.title = f"Take {number}"
        live.save()
        clock.move(seconds=3)
        work()
    assert hub.received, "a burst longer than the debounce is announced before it ends"
    assert hub.received[0].at - started <= timedelta(seconds=30)


def _publish(episode: Episode) -> None:
    episode.status, episode.pub_date = Episode.Status.PUBLISHED, timezone.now()
    episode.save()


def _unpublish(episode: Episode) -> None:
    episode.status = Episode.Status.DRAFT
    episode.save()


def _edit_show(episode: Episode) -> None:
    episode.show.description = "A different description."
    episode.show.save()


def _add_guest(episode: Episode) -> None:
    factories.AppearanceFactory(episode=episode)


def _rename_tag(episode: Episode) -> None:
    tag = factories.TagFactory()
    episode.tags.add(tag)


def _delete(episode: Episode) -> None:
    episode.delete()


@pytest.mark.parametrize(
    ("change", "draft", "why"),
    [
        (_publish, True, "“First light” published"),
        (lambda e: Episode.objects.get(pk=e.pk).save(), False, "“First light” edited"),
        (_unpublish, False, "“First light” unpublished"),
        (_edit_show, False, "show details edited"),
        (_add_guest, False, "“First light” edited"),
        (_rename_tag, False, "“First light” tags changed"),
        (_delete, False, "“First light” deleted"),
    ],
)
def test_each_kind_of_change_to_the_published_feed_is_announced_once(
    db, settings, clock, change, draft, why
):
    show = factories.ShowFactory(slug="the-show")
    make = factories.EpisodeFactory if draft else live_episode
    episode = make(show=show, title="First light", draft=draft)
    with serve() as hub:
        settings.WEBSUB_HUBS, settings.ALLOW_PRIVATE_NOTIFY = [hub.url], True
        change(episode)
        clock.move(seconds=30)
        work()
        assert publishes(hub) == [FEED_URL]
        assert Notification.objects.get().reason == why


def test_editing_a_draft_or_a_scheduled_episode_announces_nothing(live, hub, clock):
    draft = factories.EpisodeFactory(show=live.show, draft=True)
    scheduled = factories.EpisodeFactory(show=live.show, scheduled=True)
    work()
    for episode in (draft, scheduled):
        episode.title = "Still a secret"
        episode.save()
    clock.move(minutes=1)
    work()
    assert hub.received == []


def test_adding_what_is_already_there_announces_nothing(live, settings, clock):
    tag, host = factories.TagFactory(), factories.GuestFactory()
    live.tags.add(tag)
    live.show.hosts.add(host)
    with serve() as hub:
        settings.WEBSUB_HUBS, settings.ALLOW_PRIVATE_NOTIFY = [hub.url], True
        live.tags.add(tag)
        live.show.hosts.add(host)
        clock.move(minutes=1)
        work()
        assert hub.received == []


def test_a_scheduled_episode_announces_itself_when_its_time_comes(live, hub, clock):
    scheduled = factories.EpisodeFactory(
        show=live.show, title="Tomorrow", pub_date=clock.now + timedelta(hours=1)
    )
    clock.move(minutes=59)
    work()
    assert hub.received == []
    clock.move(minutes=1)
    work()  # the go-live task runs and opens a burst
    clock.move(seconds=10)
    work()
    assert publishes(hub) == [FEED_URL]
    assert Notification.objects.get().reason == "“Tomorrow” went live"
    assert hub.received[0].at - scheduled.pub_date <= timedelta(seconds=30)
    clock.move(hours=1)
    call_command("notify_sweep", verbosity=0)
    clock.move(minutes=1)
    work()
    assert len(hub.received) == 1, "the sweep does not announce it again"


def test_a_moved_schedule_announces_once_at_the_new_time(live, hub, clock):
    episode = factories.EpisodeFactory(
        show=live.show, title="Moved", pub_date=clock.now + timedelta(hours=1)
    )
    episode.pub_date = clock.now + timedelta(hours=2)
    episode.save()
    clock.move(hours=1, seconds=30)
    work()
    assert hub.received == [], "the old time's task finds the episode moved"
    clock.move(hours=1)
    work()
    clock.move(seconds=10)
    work()
    assert publishes(hub) == [FEED_URL]
    assert hub.received[0].at >= episode.pub_date
    clock.move(hours=1)
    work()
    assert len(hub.received) == 1


def test_a_scheduled_episode_unpublished_before_its_time_announces_nothing(live, hub, clock):
    episode = factories.EpisodeFactory(show=live.show, pub_date=clock.now + timedelta(hours=1))
    _unpublish(episode)
    clock.move(hours=2)
    work()
    call_command("notify_sweep", verbosity=0)
    work()
    assert hub.received == []


def test_the_sweep_announces_a_go_live_whose_task_was_lost_and_only_once(live, hub, clock):
    factories.EpisodeFactory(show=live.show, pub_date=clock.now + timedelta(hours=1))
    # No worker ran, and the queue was lost.
    DBTaskResult.objects.all().delete()
    clock.move(hours=3)
    call_command("notify_sweep", verbosity=0)
    clock.move(seconds=10)
    work()
    assert publishes(hub) == [FEED_URL]
    assert Notification.objects.get().reason == "an episode went live (found by the sweep)"
    clock.move(minutes=10)
    call_command("notify_sweep", verbosity=0)
    clock.move(minutes=1)
    work()
    assert len(hub.received) == 1


def test_the_sweep_queues_itself_again(live, hub, clock):
    call_command("notify_sweep", verbosity=0)
    sweeps = DBTaskResult.objects.filter(task_path="notify.announce.run_sweep", status="READY")
    assert [s.run_after for s in sweeps] == [clock.now + timedelta(minutes=5)]
    call_command("notify_sweep", verbosity=0)
    assert sweeps.count() == 1, "a second start does not queue a second chain"
    clock.move(minutes=5)
    work()
    assert [s.run_after for s in sweeps.all()] == [clock.now + timedelta(minutes=5)]


def test_the_sweep_forgets_notifications_after_90_days(live, hub, clock):
    live.save()
    clock.move(seconds=30)
    work()
    clock.move(days=89)
    call_command("notify_sweep", verbosity=0)
    assert Notification.objects.count() == 1
    clock.move(days=1, seconds=1)
    call_command("notify_sweep", verbosity=0)
    assert Notification.objects.count() == 0


def test_the_sweep_catches_an_announcement_whose_task_was_lost(live, hub, clock):
    live.title = "Edited"
    live.save()
    DBTaskResult.objects.all().delete()
    clock.move(minutes=5)
    work()
    assert hub.received == []
    call_command("notify_sweep", verbosity=0)
    work()
    assert publishes(hub) == [FEED_URL]


def test_a_hub_that_fails_twice_is_retried_with_backoff_until_it_succeeds(live, settings, clock):
    with serve(fail_twice) as hub:
        settings.WEBSUB_HUBS, settings.ALLOW_PRIVATE_NOTIFY = [hub.url], True
        live.save()
        clock.move(seconds=30)
        work()
        notification = Notification.objects.get()
        assert (notification.status, notification.attempts) == ("retrying", 1)
        assert notification.result == f"HTTP 500 — {hub.url} answered 500"
        clock.move(seconds=14)
        work()
        assert len(hub.received) == 1, "the first retry waits 15 s"
        clock.move(seconds=1)
        work()
        assert len(hub.received) == 2
        clock.move(seconds=59)
        work()
        assert len(hub.received) == 2, "the second retry waits a minute"
        clock.move(seconds=1)
        work()
        notification.refresh_from_db()
        assert len(hub.received) == 3
        assert (notification.status, notification.attempts) == ("sent", 3)
        assert (notification.status_code, notification.error) == (204, "")


def test_a_hub_that_always_fails_is_recorded_as_failed_for_editors_to_see(
    live, settings, clock, admin_client
):
    with serve(always_fail) as hub:
        settings.WEBSUB_HUBS, settings.ALLOW_PRIVATE_NOTIFY = [hub.url], True
        live.save()
        for _ in range(12):
            clock.move(minutes=30)
            work()
        assert len(hub.received) == settings.NOTIFY_MAX_ATTEMPTS == 5
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == ("failed", 5)
    failed = DBTaskResult.objects.filter(status="FAILED").get()
    assert failed.task_path == "notify.announce.deliver"
    assert failed.exception_class_path == "notify.announce.NotificationFailed"
    page = admin_client.get(reverse("admin:episodes_show_change", args=[live.show.pk]))
    body = page.content.decode()
    assert "<td>Failed</td>" in body
    assert f"HTTP 500 — {hub.url} answered 500 (5 attempts)" in body
    tasks = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert "deliver" in tasks.content.decode()


def test_a_task_run_twice_does_no_harm(live, hub, clock):
    live.save()
    clock.move(seconds=30)
    work()
    notification = Notification.objects.get()
    assert deliver.call(notification.pk).startswith("already sent")
    episode = factories.EpisodeFactory(show=live.show, pub_date=clock.now + timedelta(minutes=1))
    clock.move(minutes=1)
    assert go_live.call(episode.pk, episode.pub_date.isoformat()) == "announced"
    clock.move(seconds=30)
    work()
    assert go_live.call(episode.pk, episode.pub_date.isoformat()) == "announced"
    clock.move(seconds=30)
    work()
    assert len(hub.received) == 2


def test_podping_is_told_with_its_token(live, settings, clock):
    with serve(path="/") as gateway:
        settings.PODPING_URL, settings.PODPING_TOKEN = gateway.url, "secret-token"
        settings.ALLOW_PRIVATE_NOTIFY = True
        live.save()
        clock.move(seconds=30)
        work()
    [ping] = gateway.received
    assert ping.method == "GET"
    assert ping.query == {"url": [FEED_URL], "reason": ["update"], "medium": ["podcast"]}
    assert ping.headers["Authorization"] == "secret-token"
    assert ping.headers["User-Agent"].startswith("podcast-site-notify/")
    assert Notification.objects.get().kind == "podping"


def test_hubs_on_private_addresses_are_refused_without_the_setting(live, settings, clock):
    with serve() as hub:
        settings.WEBSUB_HUBS, settings.ALLOW_PRIVATE_NOTIFY = [hub.url], False
        live.save()
        clock.move(seconds=30)
        work()
        assert hub.received == []
    notification = Notification.objects.get()
    assert notification.status == "failed"
    assert "private or reserved address (127.0.0.1)" in notification.error
    assert "ALLOW_PRIVATE_NOTIFY=1 allows it" in notification.error


def test_no_redirect_is_followed_to_a_private_address(db):
    from notify import http

    checked = []

    def first_address_only(ip) -> bool:
        """Both servers are on loopback: the first hop plays a public hub, the next a private."""
        checked.append(ip)
        return len(checked) == 1

    with serve() as inside, serve(lambda n: (307, {"Location": inside.url})) as outside:
        answer = http.websub_publish(
            outside.url, FEED_URL, allow_private=False, is_allowed=first_address_only
        )
    assert len(outside.received) == 1
    assert inside.received == []
    assert "private or reserved address (127.0.0.1)" in answer.error
    assert not answer.ok


def test_a_hanging_hub_never_slows_a_save(live, settings, clock, editor_client):
    settings.NOTIFY_TIMEOUT_SECONDS = 1
    settings.ALLOW_PRIVATE_NOTIFY = True
    changelist = reverse("admin:episodes_episode_changelist")

    def save_time(title: str) -> float:
        episode = factories.EpisodeFactory(show=live.show, title=title, draft=True)
        started = time.perf_counter()
        response = editor_client.post(
            changelist, {"action": "publish", "_selected_action": [episode.pk]}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 302
        return elapsed

    without_hubs = min(save_time(f"Plain {n}") for n in range(3))
    with serve(hang=10) as hub:
        settings.WEBSUB_HUBS = [hub.url]
        with_hanging_hub = min(save_time(f"Hanging {n}") for n in range(3))
        assert hub.received == [], "nothing is sent inside the editor's request"
        clock.move(seconds=30)
        started = time.perf_counter()
        work()
        waited = time.perf_counter() - started
    print(
        f"save without hubs {without_hubs * 1000:.0f} ms, with a hanging hub "
        f"{with_hanging_hub * 1000:.0f} ms; the worker waited {waited:.1f} s"
    )
    assert with_hanging_hub < without_hubs + 0.25
    assert waited < 3, "the worker gives up on the hub after its short timeout"
    notification = Notification.objects.get()
    assert notification.status == "retrying"
    assert "no answer within 1 s" in notification.error


def test_the_show_page_lists_notifications_and_notifies_now(live, hub, clock, editor_client):
    live.save()
    clock.move(seconds=30)
    work()
    url = reverse("admin:episodes_show_change", args=[live.show.pk])
    body = editor_client.get(url).content.decode()
    assert "Recent notifications" in body
    assert f"<td>WebSub hub: {hub.url}</td><td>“First light” edited</td><td>Sent</td>" in body
    assert "HTTP 202 (1 attempt)" in body
    notify_url = reverse("admin:episodes_show_notify", args=[live.show.pk])
    assert f'formaction="{notify_url}"' in body
    assert editor_client.get(notify_url).status_code == 405
    response = editor_client.post(notify_url)
    assert response.status_code == 302
    assert response["Location"] == url
    work()
    assert len(publishes(hub)) == 2
    assert Notification.objects.first().reason == "“Notify now” by editor"


def test_the_show_page_says_when_pending_changes_will_be_announced(live, hub, clock, editor_client):
    live.title = "Retitled"
    live.save()
    body = editor_client.get(
        reverse("admin:episodes_show_change", args=[live.show.pk])
    ).content.decode()
    assert "Next announcement at " in body
    assert "for: “Retitled” edited" in body
    assert "None yet." in body


def test_notify_now_is_also_an_action_of_the_show_list(live, hub, clock, editor_client):
    changelist = reverse("admin:episodes_show_changelist")
    response = editor_client.post(
        changelist, {"action": "notify_selected", "_selected_action": [live.show.pk]}
    )
    assert response.status_code == 302
    work()
    assert publishes(hub) == [FEED_URL]


def test_notify_now_needs_permission_to_change_the_show(live, hub, client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    response = client.post(reverse("admin:episodes_show_notify", args=[live.show.pk]))
    assert response.status_code == 403
    assert Notification.objects.count() == 0


def test_with_the_immediate_backend_a_change_is_sent_at_once(live, hub, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with transaction.atomic():
        live.title = "Immediate"
        live.save()
        assert hub.received == [], "still only after commit"
    assert publishes(hub) == [FEED_URL]


def test_misconfigured_hubs_and_podping_are_reported_at_startup(settings):
    from django.core import checks

    settings.WEBSUB_HUBS = ["hub.example.com", "https://hub.example.com/"]
    settings.PODPING_URL, settings.PODPING_TOKEN = "https://podping.example.com/", ""
    found = [(m.id, m.msg) for m in checks.run_checks() if m.id.startswith("notify.")]
    assert found == [
        ("notify.W001", "WEBSUB_HUBS: “hub.example.com” is not an http(s) URL."),
        (
            "notify.W002",
            "Podping needs both PODPING_URL and PODPING_TOKEN; with one alone it is off.",
        ),
    ]
