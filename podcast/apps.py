from django.apps import AppConfig


class PodcastConfig(AppConfig):
    name = "podcast"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Every Image.open in the process, Django's own ImageField included, obeys this.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
