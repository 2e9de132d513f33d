"""Admin forms: uploads are read and checked here, so a refused file never reaches storage."""

import os
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from episodes.models import AlternateEnclosure, Chapter, Episode, Platform, Show, Soundbite
from podcast import rules
from podcast.forms import ImageUploadField, upload_field, with_extension
from podcast.media import MediaError, read_audio, read_rendition, read_transcript
from podcast.text import format_duration, parse_duration


class SecondsField(forms.IntegerField):
    """Seconds, typed as `2732`, `45:32` or `1:02:03`."""

    widget = forms.TextInput

    def to_python(self, value: str | None) -> int | None:
        if value in self.empty_values:
            return None
        seconds = parse_duration(str(value))
        if seconds is None:
            raise ValidationError("Enter seconds (2732) or a time such as 45:32 or 1:02:03.")
        return seconds

    def prepare_value(self, value: object) -> object:
        return format_duration(value) if isinstance(value, int) else value


def _upload(cleaned: object) -> UploadedFile | None:
    """The newly uploaded file, if this submission carries one (not the stored or cleared file)."""
    return cleaned if isinstance(cleaned, UploadedFile) else None


class ShowAdminForm(forms.ModelForm):
    cover_art = ImageUploadField(
        artwork=True, help_text=Show._meta.get_field("cover_art").help_text
    )

    class Meta:
        model = Show
        fields = ["cover_art"]  # the admin's fieldsets add the rest


class EpisodeAdminForm(forms.ModelForm):
    audio_file = upload_field(
        Episode, "audio_file", "audio/mpeg,audio/mp4,audio/x-m4a,.mp3,.m4a", max_length=255
    )
    cover_art = ImageUploadField(
        artwork=True, help_text=Episode._meta.get_field("cover_art").help_text
    )
    transcript = upload_field(Episode, "transcript", ".vtt,.srt,text/vtt,application/x-subrip")
    duration = SecondsField(
        required=False,
        min_value=0,
        help_text="Read from an uploaded file. Type it (45:32) only to correct it, or for "
        "external audio.",
    )

    class Meta:
        model = Episode
        # The media fields; the admin's fieldsets add the rest.
        fields = [
            "audio_file", "audio_url", "audio_size", "audio_mime_type", "audio_bitrate",
            "duration", "cover_art", "cover_art_url", "transcript",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The upload script refuses what is too large before sending (minutes, over a home line).
        for name, limit, kinds in (
            ("audio_file", settings.MAX_AUDIO_UPLOAD_BYTES, "MP3 or M4A audio"),
            ("cover_art", settings.MAX_IMAGE_UPLOAD_BYTES, "JPEG or PNG images"),
            ("transcript", settings.MAX_TRANSCRIPT_UPLOAD_BYTES, "WebVTT or SRT transcripts"),
        ):
            self.fields[name].widget.attrs.update(
                {
                    "data-max-bytes": limit,
                    "data-max-label": filesizeformat(limit),
                    "data-kinds": kinds,
                }
            )

    def clean_audio_file(self) -> object:
        audio = self.cleaned_data.get("audio_file")
        upload = _upload(audio)
        self.audio_info = None
        if audio is False and self._published_in_database():
            raise ValidationError(
                "A published episode's audio cannot be removed: podcast apps are downloading it. "
                "Upload a replacement, or unpublish the episode first."
            )
        if upload is not None:
            try:
                self.audio_info = read_audio(upload)
            except MediaError as exc:
                raise ValidationError(str(exc)) from exc
            upload.content_type = self.audio_info.mime_type
            upload.name = with_extension(upload.name, self.audio_info.extension)
        return audio

    def _published_in_database(self) -> bool:
        episode = self.instance
        return bool(
            episode.pk
            and Episode.objects.filter(pk=episode.pk, status=Episode.Status.PUBLISHED).exists()
        )

    def clean_transcript(self) -> object:
        transcript = self.cleaned_data.get("transcript")
        upload = _upload(transcript)
        self.transcript_info = None
        if upload is not None:
            try:
                self.transcript_info = read_transcript(upload, upload.name)
            except MediaError as exc:
                raise ValidationError(str(exc)) from exc
            upload.content_type = self.transcript_info.mime_type
        return transcript

    def clean(self) -> dict:
        cleaned = super().clean()
        info = getattr(self, "audio_info", None)
        if info is not None:
            cleaned["audio_size"] = info.size
            cleaned["audio_mime_type"] = info.mime_type
            cleaned["audio_bitrate"] = info.bitrate
            if not ("duration" in self.changed_data and cleaned.get("duration")):
                cleaned["duration"] = info.duration
        elif cleaned.get("audio_url") and not cleaned.get("audio_file"):
            self._clean_external_audio(cleaned)
        elif cleaned.get("audio_file") is False and not cleaned.get("audio_url"):
            # The editor removed the file: its measurements go with it.
            cleaned.update(audio_size=None, audio_mime_type="", audio_bitrate=None, duration=None)
        return cleaned

    def _clean_external_audio(self, cleaned: dict) -> None:
        """Audio hosted elsewhere: apps need its size, type and duration from us."""
        url = cleaned["audio_url"]
        mime_type = cleaned.get("audio_mime_type", "")
        if not mime_type:
            extension = os.path.splitext(url.split("?")[0])[1].lower()
            mime_type = rules.AUDIO_TYPES.get(extension, "")
            cleaned["audio_mime_type"] = mime_type
        if mime_type not in rules.AUDIO_MIME_TYPES:
            self.add_error(
                "audio_mime_type",
                "Give the audio's type: audio/mpeg (MP3) or audio/x-m4a (M4A/AAC).",
            )
        if not cleaned.get("audio_size"):
            self.add_error("audio_size", "Give the external file's size in bytes.")
        if not cleaned.get("duration"):
            self.add_error("duration", "Give the external audio's duration, e.g. 45:32.")

    def save(self, commit: bool = True) -> Episode:
        episode = self.instance
        info = getattr(self, "transcript_info", None)
        if info is not None:
            episode.transcript_text = info.text
            episode.transcript_mime_type = info.mime_type
        elif self.cleaned_data.get("transcript") is False:
            episode.transcript_text = ""
            episode.transcript_mime_type = ""
        return super().save(commit)


class ChapterForm(forms.ModelForm):
    start_time = SecondsField(min_value=0, help_text="Seconds or a time such as 12:34.")

    class Meta:
        model = Chapter
        fields = ["start_time", "title", "url"]


class ChapterFormSet(forms.BaseInlineFormSet):
    """Chapters start inside the episode, each at its own time."""

    def clean(self) -> None:
        # Before the inherited uniqueness check, whose message does not say which time clashes.
        duration = self.instance.duration
        seen: dict[int, str] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            start = form.cleaned_data.get("start_time")
            if start is None:
                continue
            if duration and start >= duration:
                form.add_error(
                    "start_time",
                    f"Starts at {format_duration(start)}, after the episode ends "
                    f"({format_duration(duration)}).",
                )
            if start in seen:
                form.add_error(
                    "start_time",
                    f"“{seen[start]}” already starts at {format_duration(start)}.",
                )
            seen.setdefault(start, form.cleaned_data.get("title", ""))
        super().clean()


class LinkFormSet(forms.BaseInlineFormSet):
    """One link per platform, and “Other” links told apart by their label.

    The database enforces both with conditional unique constraints, which Django's formset does
    not check; without this an editor's duplicate row would end in an IntegrityError.
    """

    def clean(self) -> None:
        super().clean()
        seen: set[tuple[str, str]] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            platform = form.cleaned_data.get("platform")
            if not platform:
                continue
            label = form.cleaned_data.get("label", "") if platform == Platform.OTHER else ""
            if (platform, label) in seen:
                field = "label" if platform == Platform.OTHER else "platform"
                message = (
                    f"Another “Other” link is labelled “{label}”; give each its own label."
                    if platform == Platform.OTHER
                    else f"There is already a {Platform(platform).label} link."
                )
                form.add_error(field, message)
            seen.add((platform, label))


class AlternateEnclosureForm(forms.ModelForm):
    """An extra rendition, read by mutagen: an upload here, a linked file by the worker."""

    file = upload_field(
        AlternateEnclosure, "file", "audio/*,.mp3,.m4a,.opus,.ogg,.flac", max_length=255
    )

    class Meta:
        model = AlternateEnclosure
        fields = ["title", "file", "url", "other_sources", "order"]

    def clean(self) -> dict:
        cleaned = super().clean()
        rendition = self.instance
        upload = _upload(cleaned.get("file"))
        if upload is not None:
            try:
                info = read_rendition(upload)
            except MediaError as exc:
                self.add_error("file", str(exc))
                return cleaned
            upload.content_type = info.mime_type
            upload.name = with_extension(upload.name, info.extension)
            rendition.take(info)
            rendition.read_url, rendition.read_problem = "", ""
        elif cleaned.get("url") and ("url" in self.changed_data or rendition.read_problem):
            # A new address, or one that failed: what was read no longer holds; the worker reads
            # it (again) once the save commits.
            rendition.take(None)
            rendition.read_url, rendition.read_problem = "", ""
        if cleaned.get("file") and cleaned.get("url"):
            self.add_error("url", "Give either an uploaded file or a URL, not both.")
        elif not cleaned.get("file") and not cleaned.get("url"):
            self.add_error("file", "Upload the rendition or give its URL.")
        return cleaned


class SoundbiteForm(forms.ModelForm):
    start_time = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=3, help_text="Seconds from the start."
    )
    duration = forms.DecimalField(
        min_value=Decimal("0.001"),
        max_digits=9,
        decimal_places=3,
        help_text="Seconds; 15 to 120 is what apps expect.",
    )

    class Meta:
        model = Soundbite
        fields = ["start_time", "duration", "title"]


class ValueSplitFormSet(forms.BaseInlineFormSet):
    """Value recipients' shares: validated together, as apps divide each payment among them."""

    def clean(self) -> None:
        super().clean()
        splits = [
            (form.cleaned_data["split"], form.cleaned_data.get("fee", False))
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("split")
        ]
        if problems := rules.validate_splits(splits):
            raise ValidationError([problem[0].upper() + problem[1:] + "." for problem in problems])
