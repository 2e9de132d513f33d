"""The Editors group: staff who run the editorial workflow but cannot manage users.

Its permissions are given by migrations, which pass their historical `apps`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NAME = "Editors"

# Per app, the start of the permission codenames the group holds ("" is all of them).
GRANTS = {
    "episodes": "",
    "guests": "",
    "notify": "view_notification",
    "analytics": "view_",
}


def _permissions(apps, app_label: str):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label=app_label, codename__startswith=GRANTS[app_label]
    )


def grant(apps, *app_labels: str) -> None:
    """Give the group these apps' permissions, made here: Django makes them after migrating."""
    editors, _ = apps.get_model("auth", "Group").objects.get_or_create(name=NAME)
    for app_label in app_labels:
        app_config = apps.get_app_config(app_label)
        if getattr(app_config, "models_module", None) is None:  # a historical app stub
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        editors.permissions.add(*_permissions(apps, app_label))


def revoke(apps, *app_labels: str) -> None:
    for editors in apps.get_model("auth", "Group").objects.filter(name=NAME):
        for app_label in app_labels:
            editors.permissions.remove(*_permissions(apps, app_label))


def granting(*app_labels: str) -> migrations.RunPython:
    """The migration step that gives the group these apps' permissions, and takes them back."""
    return migrations.RunPython(
        lambda apps, schema_editor: grant(apps, *app_labels),
        lambda apps, schema_editor: revoke(apps, *app_labels),
    )
