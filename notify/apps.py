from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "Notifications (WebSub and Podping)"

    def ready(self) -> None:
        from notify import checks, signals  # noqa: F401  (registers receivers and checks)
