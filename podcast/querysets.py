"""Query shapes every app's public pages share."""

from typing import Self

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models


class PublicQuerySet(models.QuerySet):
    """Rows the public may see (`public()`); staff see them all, to preview drafts."""

    def public(self) -> Self:
        raise NotImplementedError

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.all() if user.is_staff else self.public()
