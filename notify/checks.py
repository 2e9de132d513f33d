"""Startup checks of the notify settings: a typo in a hub URL should not wait for the first edit."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@register()
def notify_settings(app_configs, **kwargs) -> list[Warning]:
    named = [("WEBSUB_HUBS", hub) for hub in settings.WEBSUB_HUBS]
    if settings.PODPING_URL:
        named.append(("PODPING_URL", settings.PODPING_URL))
    found = [
        Warning(f"{name}: “{url}” is not an http(s) URL.", id="notify.W001")
        for name, url in named
        if not _is_web_url(url)
    ]
    if bool(settings.PODPING_URL) != bool(settings.PODPING_TOKEN):
        message = "Podping needs both PODPING_URL and PODPING_TOKEN; with one alone it is off."
        found.append(Warning(message, id="notify.W002"))
    return found
