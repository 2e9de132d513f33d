from django.contrib.auth.management import create_permissions
from django.db import migrations


def let_editors_see_notifications(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("notify")
    if getattr(app_config, "models_module", None) is None:  # a historical app stub
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="notify", codename="view_notification")
    )


def forget(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="notify", codename="view_notification")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
        ("episodes", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(let_editors_see_notifications, forget)]
