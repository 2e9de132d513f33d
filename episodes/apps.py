from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "episodes"

    def ready(self) -> None:
        from episodes import linked_renditions  # noqa: F401 - queues reading linked renditions
        from episodes.feed import freshness  # noqa: F401 - connects the freshness signals
