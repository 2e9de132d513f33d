from django import template
from django.utils.safestring import SafeString

from podcast.markdown import render
from podcast.text import format_duration

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Editor markdown as sanitised HTML."""
    return render(text)


@register.filter
def duration(seconds: int | None) -> str:
    return format_duration(seconds)
