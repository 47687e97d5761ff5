"""The newsroom's roles and the permissions each one holds.

A data migration creates them on every install, and a post_migrate handler keeps
them in step afterwards (a new model's permissions join the roles; a database
flushed by a test or a restore gets them back), both through sync_roles().
"""

CONTENT = ("event", "person", "place", "period", "source", "image")
SUPPORTING = ("citation", "participation", "illustration")


def role_permissions():
    """Return the permission codenames of each role."""
    contributor = [
        *(f"{action}_{name}" for name in CONTENT for action in ("view", "add", "change", "delete")),
        *(f"submit_{name}" for name in CONTENT),
        *(
            f"{action}_{name}"
            for name in SUPPORTING
            for action in ("view", "add", "change", "delete")
        ),
        "view_topic",
        "view_eventkind",
    ]
    editor = [
        *contributor,
        *(f"{action}_{name}" for name in CONTENT for action in ("publish", "withdraw", "revert")),
        *(
            f"{action}_{name}"
            for name in ("topic", "eventkind")
            for action in ("add", "change", "delete")
        ),
    ]
    return {"Contributors": contributor, "Editors": editor}


def sync_roles(apps):
    """Create the roles if missing and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrations; the roles need them now.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = getattr(app_config, "models_module", None) or True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="timeline", codename__in=codenames
        )
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, apps=None, **kwargs):
    """Keep the roles in step after migrate, and after flush (which sends no apps)."""
    from django.apps import apps as global_apps

    sync_roles(apps or global_apps)
