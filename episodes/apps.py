from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"

    def ready(self) -> None:
        from episodes.feed import freshness  # noqa: F401 - connects the freshness signals
