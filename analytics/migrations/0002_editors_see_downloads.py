from django.contrib.auth.management import create_permissions
from django.db import migrations


def let_editors_see_downloads(apps, schema_editor):
    app_config = apps.get_app_config("analytics")
    if getattr(app_config, "models_module", None) is None:  # a historical app stub
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="analytics", codename__startswith="view_"
        )
    )


def forget(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="analytics")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("episodes", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(let_editors_see_downloads, forget)]
