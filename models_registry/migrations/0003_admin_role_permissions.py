"""Give the existing admin-role group the registry's admin pages (new grants get them anyway)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    from organisations.services import admin_group

    Group = apps.get_model("auth", "Group")
    if Group.objects.filter(name="Quản trị đơn vị").exists():
        admin_group()


class Migration(migrations.Migration):
    dependencies = [
        ("models_registry", "0002_seed_themes_and_indicators"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
