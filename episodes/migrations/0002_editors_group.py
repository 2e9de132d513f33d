from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORIAL_APPS = ["episodes", "guests"]


def create_editors_group(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    for app_label in EDITORIAL_APPS:
        app_config = apps.get_app_config(app_label)
        if getattr(app_config, "models_module", None) is None:  # a historical app stub
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=EDITORIAL_APPS)
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("episodes", "0001_initial"),
        ("guests", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
