"""Create the newsroom's roles, so that every install has them."""

from django.db import migrations

CONTENT = ("event", "person", "place", "period", "source")
SUPPORTING = ("citation", "participation")


def role_permissions():
    """Return the permission codenames of each role."""
    contributor = [
        *(f"{action}_{name}" for name in CONTENT for action in ("view", "add", "change", "delete")),
        *(f"submit_{name}" for name in CONTENT),
        *(f"{action}_{name}" for name in SUPPORTING for action in ("view", "add", "change", "delete")),
        "view_topic",
        "view_eventkind",
    ]
    editor = [
        *contributor,
        *(f"{action}_{name}" for name in CONTENT for action in ("publish", "withdraw", "revert")),
        *(f"{action}_{name}" for name in ("topic", "eventkind") for action in ("add", "change", "delete")),
    ]
    return {"Contributors": contributor, "Editors": editor}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrations; the roles need them now.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="timeline", codename__in=codenames
        )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=role_permissions()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0007_publication_workflow"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
