"""Database constraints shared by the apps."""

from django.db.models import CheckConstraint, Q


def web_url(field: str, name: str) -> CheckConstraint:
    """Empty or http(s): a link that reaches an href never holds a script URL, whoever saves it."""
    return CheckConstraint(
        condition=Q(**{field: ""})
        | Q(**{f"{field}__istartswith": "http://"})
        | Q(**{f"{field}__istartswith": "https://"}),
        name=name,
    )
