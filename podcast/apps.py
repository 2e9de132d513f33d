from django.apps import AppConfig


class PodcastConfig(AppConfig):
    name = "podcast"
    verbose_name = "Site"

    def ready(self) -> None:
        import mimetypes

        from django.conf import settings
        from PIL import Image

        from podcast import checks  # noqa: F401 - registers the database checks

        # Object storage sets Content-Type from these; systems disagree on SRT and M4A.
        mimetypes.add_type("application/x-subrip", ".srt")
        mimetypes.add_type("audio/x-m4a", ".m4a")
        mimetypes.add_type("text/vtt", ".vtt")

        # Every Image.open in the process, Django's own ImageField included, obeys this.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
