"""Admin pieces shared by the apps."""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst


class RowsInline(admin.TabularInline):
    """A table of the object's rows, with no empty rows until the editor asks for one."""

    extra = 0


class KeepWhileInUse:
    """Deleting an object that pages or the feed still show is refused, naming where it is used.

    `users_of` names the objects' reverse relations whose rows keep them (a show's hosts keep
    its guests): the using app declares the relation, so the used one need not import it.
    Django shows them as protected objects on the delete page and in the bulk delete action, and
    deletes nothing while there are any.
    """

    users_of: list[str] = []

    def get_deleted_objects(self, objs: QuerySet, request: HttpRequest) -> tuple:
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        users = [self._link(user) for name in self.users_of for user in self._users(name, objs)]
        return to_delete, model_count, perms_needed, [*protected, *users]

    def _users(self, relation: str, objs: QuerySet) -> QuerySet:
        reverse = self.model._meta.get_field(relation)
        field = reverse.remote_field.name
        return reverse.related_model.objects.filter(**{f"{field}__in": objs}).distinct()

    @staticmethod
    def _link(obj: Model) -> str:
        opts = obj._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        except NoReverseMatch:
            return f"{capfirst(opts.verbose_name)}: {obj}"
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)
