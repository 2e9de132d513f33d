"""Query shapes every app's public pages share."""

from abc import ABC, abstractmethod
from typing import Self

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models


class PublicQuerySet(models.QuerySet, ABC):
    """Rows the public may see (`public()`); staff see them all, to preview drafts."""

    @abstractmethod
    def public(self) -> Self:
        """Only the rows the public may see."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.all() if user.is_staff else self.public()
