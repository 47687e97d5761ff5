"""One publication workflow for every public model: draft, in review, published, withdrawn.

Readers see only published rows; signed-in editors and contributors see the rest
as a preview. The rules of who may move a row from one state to the next are
permissions (``publish_event`` and the like), held by the roles that a data
migration creates.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

ACTIONS = ("submit", "publish", "withdraw")


def publication_permissions(name):
    """Return the workflow permissions of a model, for its Meta.permissions."""
    return [
        (f"submit_{name}", f"Can submit a {name} for review"),
        (f"publish_{name}", f"Can publish a {name}"),
        (f"withdraw_{name}", f"Can withdraw a published {name}"),
        (f"revert_{name}", f"Can revert a {name} to an earlier revision"),
    ]


def can_preview(user):
    """Return whether a user sees drafts on the public site: signed-in staff do."""
    return bool(user and user.is_active and user.is_staff)


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Publishable.Status.PUBLISHED)

    def visible_to(self, user):
        """Return every row for someone who may preview drafts, else the published ones."""
        return self.previewed(can_preview(user))

    def previewed(self, preview):
        """Return every row when drafts are previewed, else the published ones."""
        return self if preview else self.published()


class Publishable(models.Model):
    """A row that readers see only once an editor has published it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Empty until the first save fills them, so a fixture that gives no times does
    # not overwrite the stored ones when it is loaded again.
    created_at = models.DateTimeField(null=True, blank=True, editable=False)
    modified_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    def publication_problems(self):
        """Return the sentences that say why this item may not be published yet."""
        return []

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    STAMPS = ("created_at", "modified_at", "first_published_at", "created_by_id", "modified_by_id")

    def refresh_publication_dates(self, raw=False):
        """Stamp the change, and the first publication, on the row.

        A raw save (a fixture or backup being loaded) keeps the times it brings and,
        for those it does not bring, the ones already stored.
        """
        now = timezone.now()
        # Kept to the millisecond, as JSON dumps and backups keep it, so a restored
        # backup holds exactly the times it was made from.
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if raw:
            self.keep_stored_stamps()
        else:
            self.modified_at = now
        self.created_at = self.created_at or now
        self.modified_at = self.modified_at or self.created_at
        if self.is_published and self.first_published_at is None:
            self.first_published_at = now

    def keep_stored_stamps(self):
        missing = [name for name in self.STAMPS if getattr(self, name) is None]
        if self.pk is None or not missing:
            return
        stored = type(self)._base_manager.filter(pk=self.pk).values(*missing).first() or {}
        for name, value in stored.items():
            setattr(self, name, value)

    def stamp(self, user):
        """Record who created (if new) and who last changed the row."""
        if self.pk is None and self.created_by_id is None:
            self.created_by = user
        self.modified_by = user
