from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"

    def ready(self) -> None:
        from episodes import freshness  # noqa: F401 - connects the freshness signals
