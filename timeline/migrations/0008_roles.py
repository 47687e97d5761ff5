"""Create the newsroom's roles, so that every install has them."""

from django.db import migrations

from timeline.roles import role_permissions, sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=role_permissions()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0007_publication_workflow"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
