"""The publication workflow in the admin: who may move an item to which status.

Contributors write drafts and submit them for review; editors publish, withdraw
and delete. The rules are the permissions the roles hold (``publish_event`` and
the like); this mixin makes the admin ask them, in forms, actions and buttons.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from timeline.models.publication import Publishable

Status = Publishable.Status
EDITABLE_BY_WRITERS = (Status.DRAFT, Status.REVIEW)


class PublicationAdminMixin:
    """Give a ModelAdmin the workflow's actions, status choices and object permissions."""

    actions = ("submit_for_review", "publish", "withdraw")
    readonly_fields = ("publication_record",)

    def has_workflow_permission(self, request, action):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

    def has_submit_permission(self, request, obj=None):
        return self.has_workflow_permission(request, "submit")

    def has_publish_permission(self, request, obj=None):
        return self.has_workflow_permission(request, "publish")

    def has_withdraw_permission(self, request, obj=None):
        return self.has_workflow_permission(request, "withdraw")

    def has_revert_permission(self, request, obj=None):
        return self.has_workflow_permission(request, "revert")

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert only for those whose role may: editors, not contributors."""
        if not self.has_revert_permission(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_revert_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def may_touch(self, request, obj):
        """Return whether the user may change or delete this item in its status.

        A published or withdrawn item is the editors' to change: a contributor sees it
        read-only and cannot delete it.
        """
        return (
            obj is None
            or obj.status in EDITABLE_BY_WRITERS
            or (self.has_publish_permission(request))
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_touch(request, obj)

    def allowed_statuses(self, request):
        if self.has_publish_permission(request):
            return list(Status)
        return list(EDITABLE_BY_WRITERS)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("status")
        if field is not None:
            allowed = {str(status) for status in self.allowed_statuses(request)}
            field.choices = [(value, label) for value, label in field.choices if value in allowed]
        return form

    def save_model(self, request, obj, form, change):
        obj.stamp(request.user)
        super().save_model(request, obj, form, change)

    @admin.display(description="record")
    def publication_record(self, obj):
        if obj is None or obj.pk is None:
            return "Not saved yet."
        parts = [f"Created {obj.created_at:%-d %B %Y %H:%M}"]
        if obj.created_by:
            parts[-1] += f" by {obj.created_by}"
        parts.append(f"last changed {obj.modified_at:%-d %B %Y %H:%M}")
        if obj.modified_by:
            parts[-1] += f" by {obj.modified_by}"
        if obj.first_published_at:
            parts.append(f"first published {obj.first_published_at:%-d %B %Y %H:%M}")
        return "; ".join(parts) + "."

    @admin.action(description="Submit the selected items for review", permissions=("submit",))
    def submit_for_review(self, request, queryset):
        self.move(request, queryset.filter(status=Status.DRAFT), Status.REVIEW)

    @admin.action(description="Publish the selected items", permissions=("publish",))
    def publish(self, request, queryset):
        ready = []
        for obj in queryset.exclude(status=Status.PUBLISHED):
            problems = obj.publication_problems()
            if problems:
                self.message_user(
                    request, f"“{obj}” was not published: {' '.join(problems)}", messages.ERROR
                )
            else:
                ready.append(obj)
        self.move(request, ready, Status.PUBLISHED)

    @admin.action(description="Withdraw the selected items", permissions=("withdraw",))
    def withdraw(self, request, queryset):
        self.move(request, queryset.filter(status=Status.PUBLISHED), Status.WITHDRAWN)

    def move(self, request, objects, status):
        """Set the status of each item one save at a time, so history and signals see it."""
        moved = 0
        for obj in objects:
            obj.status = status
            obj.stamp(request.user)
            obj.save()
            self.log_change(request, obj, f"Set status to {obj.get_status_display()}.")
            moved += 1
        label = Status(status).label.lower()
        self.message_user(request, f"{moved} item(s) set to {label}.", messages.SUCCESS)
