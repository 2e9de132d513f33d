"""What `check_feed` and the admin's problems list report about the Podcasting 2.0 tags.

Forms refuse most of this already; these catch what reached the database another way (imports,
the shell, a rule that spans several objects) as `(level, message)` pairs.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError

from episodes.models import Episode, LicenseAndLocation, Show, ValueRecipientBase
from podcast import rules

ERROR, WARNING = "error", "warning"
Found = list[tuple[str, str]]
# Encoders pad a second or so; a rendition further off than this (or 2 %) is another recording.
RENDITION_SECONDS_APART = 2


def _invalid(value: str, validators: Iterable[Callable[[str], None]]) -> str | None:
    for validator in validators:
        try:
            validator(value)
        except (ValidationError, ValueError) as exc:
            return getattr(exc, "messages", [str(exc)])[0]
    return None


def _license_and_location(item: LicenseAndLocation) -> Found:
    found = []
    if rules.license_needs_url(item.license) and not item.license_url:
        found.append((ERROR, f"license “{item.license}” is not well known: give its URL"))
    if (item.location_geo or item.location_osm) and not item.location_name.strip():
        found.append((ERROR, "location has coordinates but no name"))
    checks = [
        (item.location_geo, [rules.validate_geo_uri, rules.validate_geo_range], "location geo"),
        (item.location_osm, [rules.validate_osm], "location OpenStreetMap id"),
        (item.location_country, [rules.validate_country], "location country"),
    ]
    for value, validators, label in checks:
        if value and (message := _invalid(value, validators)):
            found.append((ERROR, f"{label} “{value}”: {message}"))
    return found


def _recipients(recipients: list[ValueRecipientBase], label: str) -> Found:
    found = []
    for recipient in recipients:
        if message := _invalid(recipient.address, [rules.validate_node_pubkey]):
            found.append((ERROR, f"{label} “{recipient.name}”: {message}"))
        if bool(recipient.custom_key) != bool(recipient.custom_value):
            found.append((ERROR, f"{label} “{recipient.name}”: custom key without value"))
    splits = [(recipient.split, recipient.fee) for recipient in recipients]
    found += [(ERROR, f"{label}s: {message}") for message in rules.validate_splits(splits)]
    return found


def show_problems(show: Show) -> Found:
    found = _license_and_location(show)
    if show.update_rrule:
        if message := _invalid(show.update_rrule, [rules.validate_rrule]):
            found.append((ERROR, f"update rule “{show.update_rrule}”: {message}"))
        if rules.rrule_needs_dtstart(show.update_rrule) and not show.update_dtstart:
            found.append((ERROR, "update rule has a COUNT but no start date"))
        if not show.update_frequency:
            found.append((WARNING, "update rule without the schedule in words"))
    trailer = show.trailer
    if trailer is not None and not (
        trailer.show_id == show.pk and trailer.is_published and trailer.has_audio
    ):
        found.append((WARNING, f"trailer “{trailer.title}” is not a published episode with audio"))
    for record in show.txt_records.all():
        if len(record.text) > rules.TXT_LIMIT:
            found.append((ERROR, f"text record is over {rules.TXT_LIMIT:,} characters"))
    recipients = list(show.value_recipients.all())
    found += _recipients(recipients, "value recipient")
    if show.value_suggested is not None and not recipients:
        found.append((WARNING, "a suggested value but no value recipients"))
    if show.publisher_name and not (show.publisher_feed_url or show.publisher_feed_guid):
        found.append((WARNING, "publisher named without its feed URL or guid: not in the feed"))
    if any(block.blocked and not block.service for block in show.blocks.all()):
        found.append((WARNING, "podcast:block is “yes” for every platform"))
    return found


def episode_problems(episode: Episode) -> Found:
    found = _license_and_location(episode)
    duration = episode.duration
    for bite in episode.soundbites.all():
        label = f"soundbite at {rules.decimal_seconds(bite.start_time)} s"
        if duration and bite.start_time + bite.duration > duration:
            found.append((ERROR, f"{label} ends after the episode"))
        if not rules.SOUNDBITE_MIN_SECONDS <= bite.duration <= rules.SOUNDBITE_MAX_SECONDS:
            seconds = rules.decimal_seconds(bite.duration)
            found.append((WARNING, f"{label} lasts {seconds} s; apps expect 15–120 s"))
    for alternate in episode.alternate_enclosures.all():
        label = f"alternate enclosure “{alternate}”"
        if alternate.read_problem:
            found.append((ERROR, f"{label} is left out of the feed: {alternate.read_problem}"))
            continue
        if alternate.needs_reading:
            found.append((WARNING, f"{label} is left out of the feed until its link is read"))
            continue
        if (
            duration
            and alternate.duration
            and abs(alternate.duration - duration) > max(RENDITION_SECONDS_APART, duration // 50)
        ):
            found.append(
                (WARNING, f"{label} plays {alternate.duration} s but the episode {duration} s")
            )
        if not alternate.mime_type:
            found.append((ERROR, f"{label} has no type"))
        if not alternate.size:
            found.append((WARNING, f"{label} has no size in bytes"))
        if alternate.integrity and not rules.sri_valid(alternate.integrity):
            found.append((ERROR, f"{label}: integrity is not an SRI hash (sha384-…)"))
    own = list(episode.value_recipients.all())
    found += _recipients(own, "episode value recipient")
    splits = list(episode.value_splits.all())
    if splits and not (own or episode.show.value_recipients.all()):
        found.append((ERROR, "guest segment payments but no value recipients to share with"))
    found += _recipients(splits, "guest segment payment")
    ends = []
    for split in splits:
        if duration and split.start_time + split.duration > duration:
            found.append((ERROR, f"guest segment at {split.start_time} s ends after the episode"))
        if ends and split.start_time < ends[-1]:
            found.append((ERROR, f"guest segment at {split.start_time} s overlaps the one before"))
        ends.append(split.start_time + split.duration)
    protocol = episode.social_protocol
    if protocol and protocol != rules.SocialProtocol.DISABLED and not episode.social_uri:
        found.append((ERROR, "discussion protocol set but no post address"))
    if episode.social_uri and not protocol:
        found.append((ERROR, "discussion post without a protocol: not in the feed"))
    return found
