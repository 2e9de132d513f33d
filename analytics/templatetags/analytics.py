from django import template

from podcast import enclosures as links

register = template.Library()


@register.filter
def audio_url(episode) -> str:
    """The URL the site's player and download link use (measured when measurement is on)."""
    return links.audio_url(episode)


@register.filter
def enclosure_url(episode) -> str:
    """The absolute audio URL, as the feed gives it (for og:audio)."""
    return links.enclosure_url(episode)
