"""Models whose markdown is rendered to HTML when saved: no listener's request renders any."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from podcast.markdown import RenderTooSlow, render_bounded


def max_chars(limit: int) -> MaxLengthValidator:
    return MaxLengthValidator(
        limit,
        message=f"At most {limit:,} characters are allowed; this is %(show_value)s characters.",
    )


def length_at_most(field: str, limit: int, name: str) -> models.CheckConstraint:
    """The same bound in the database, for whatever saves without the model's validation."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


class RenderedMarkdownModel(models.Model):
    """Keeps `<field>_html` the rendering of each markdown field in RENDERED, bounded in time."""

    RENDERED: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        stale = self._stale()
        if update_fields is not None:
            stale = [name for name in stale if name in update_fields]
        if stale:
            self.render_markdown()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *(f"{name}_html" for name in stale)}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        # full_clean calls clean() even when a field failed: never render a text already refused.
        errors = {}
        for name in self.RENDERED:
            try:
                self._meta.get_field(name).run_validators(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        self.render_markdown()

    @classmethod
    def from_db(cls, *args, **kwargs):
        instance = super().from_db(*args, **kwargs)
        instance._rendered_from = {name: instance.__dict__.get(name) for name in cls.RENDERED}
        return instance

    def render_markdown(self) -> None:
        """Render what changed; ValidationError naming the field when a text renders too slowly."""
        for name in self._stale():
            try:
                html = render_bounded(getattr(self, name))
            except RenderTooSlow as exc:
                raise ValidationError({name: str(exc)}) from exc
            setattr(self, f"{name}_html", str(html))
            self._rendered_from = {**getattr(self, "_rendered_from", {}), name: getattr(self, name)}

    def _stale(self) -> list[str]:
        rendered_from = getattr(self, "_rendered_from", {})
        return [name for name in self.RENDERED if rendered_from.get(name) != getattr(self, name)]


def render_existing(model, source: str, limit: int) -> None:
    """For migrations: render the stored texts once, cutting any over the new limit (said aloud)."""
    from django.utils.html import linebreaks

    for pk, text in model.objects.values_list("pk", source).iterator():
        if len(text) > limit:
            print(f"\n  {model.__name__} {pk}: {source} cut from {len(text):,} to {limit:,} chars")
            text = text[:limit]
        try:
            html = str(render_bounded(text))
        except RenderTooSlow:
            # Too slow as markdown: kept as plain paragraphs until an editor simplifies it.
            html = linebreaks(text, autoescape=True)
        model.objects.filter(pk=pk).update(**{source: text, f"{source}_html": html})
