"""Guests as static sites write them: “Dr. Jane Smith, ML Research Lead at TechCorp”."""

from dataclasses import dataclass

from django.utils.text import slugify


@dataclass(frozen=True)
class GuestLine:
    name: str
    title: str = ""
    organisation: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.name)[:140]


def parse_guest_line(text: str) -> GuestLine:
    """Split “Name, Title at Organisation”; the title and organisation are optional."""
    name, _, rest = (part.strip() for part in text.partition(","))
    title, sep, organisation = rest.rpartition(" at ")
    if not sep:
        title, organisation = rest, ""
    return GuestLine(name=name, title=title.strip(), organisation=organisation.strip())
