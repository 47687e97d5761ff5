"""Pictures, with their credit, licence and source, and where they are shown."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Prefetch, Q

from timeline import images
from timeline.models.base import SlugModel, SlugQuerySet
from timeline.models.publication import (
    PublicationQuerySet,
    Publishable,
    can_preview,
    publication_permissions,
)
from timeline.models.sources import Citation, Source

# The items that show pictures: one field each on Illustration, one home for the rule.
ILLUSTRATED = ("period", "event", "person", "place")


class ImageQuerySet(PublicationQuerySet, SlugQuerySet):
    pass


class Image(SlugModel, Publishable):
    """A picture readers see with its alt text, caption, credit, licence and source."""

    class Licence(models.TextChoices):
        PUBLIC_DOMAIN = "public-domain", "Public domain"
        CC0 = "cc0", "CC0"
        CC_BY = "cc-by", "CC BY"
        CC_BY_SA = "cc-by-sa", "CC BY-SA"
        OTHER = "other", "Other (see the note)"

    file = models.FileField(
        upload_to=images.UPLOAD_DIR,
        validators=[images.validate_image_file],
        help_text="A JPEG, PNG, WebP or AVIF picture, at most 10 MB and 40 megapixels. "
        "It is stored without its metadata (EXIF, GPS position), turned upright, in sRGB.",
    )
    alt = models.CharField(
        "alt text",
        max_length=300,
        help_text="What is in the picture, in a sentence, for readers who cannot see it; "
        "not its caption.",
    )
    caption = models.TextField(blank=True, help_text="Shown under the picture.")
    credit = models.CharField(
        max_length=200, blank=True, help_text="Who made the picture: a photographer, an agency."
    )
    licence = models.CharField(max_length=20, choices=Licence.choices)
    licence_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="The licence's name and version, or the permission the picture is used "
        "under; required for “Other”.",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="images",
        help_text="Where the picture comes from.",
    )
    locator_label = models.CharField(
        "locator type",
        max_length=20,
        choices=Citation.Locator.choices,
        default=Citation.Locator.PAGE,
    )
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: a page, a plate, a folio."
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    # Derived from the file when it is saved; see timeline/images.py.
    renditions = models.JSONField(editable=False, default=list, blank=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ("slug",)
        permissions = publication_permissions("image")
        constraints = [
            models.CheckConstraint(
                condition=~Q(licence="other") | ~Q(licence_note=""),
                name="image_other_licence_has_note",
            ),
        ]

    def __str__(self):
        return self.alt

    def save(self, *args, **kwargs):
        new_file = bool(self.file) and not self.file._committed
        if not new_file:
            super().save(*args, **kwargs)
            return
        prepared = images.prepare(self.file.file)
        replaced = self.stored_files_in_database()
        self.file = prepared.as_file()
        self.width, self.height = prepared.width, prepared.height
        self.renditions = images.make_renditions(prepared, default_storage)
        try:
            super().save(*args, **kwargs)
        except Exception:
            images.delete_files(default_storage, [self.file.name, *self.rendition_names])
            raise
        if replaced:
            transaction.on_commit(lambda: images.delete_files(default_storage, replaced))

    def get_absolute_url(self):
        return self.file.url

    def clean(self):
        super().clean()
        if self.licence == self.Licence.OTHER and not self.licence_note:
            raise ValidationError({"licence_note": "Name the licence when it is “Other”."})

    @property
    def rendition_names(self):
        return [rendition["name"] for rendition in self.renditions]

    @property
    def stored_files(self):
        """Return the names of every file this image keeps under MEDIA_ROOT."""
        return [self.file.name, *self.rendition_names] if self.file else self.rendition_names

    def stored_files_in_database(self):
        if self.pk is None:
            return []
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        return stored.stored_files if stored else []

    @property
    def locator_text(self):
        return f"{self.get_locator_label_display()} {self.locator}" if self.locator else ""

    @property
    def licence_text(self):
        if self.licence == self.Licence.OTHER:
            return self.licence_note
        label = self.get_licence_display()
        return f"{label} ({self.licence_note})" if self.licence_note else label

    def sources(self):
        """Return the renditions by format for <source> elements, best format first,
        without the fallback, each with its srcset."""
        fallback = self.fallback_format
        return [
            {"type": images.MIME_TYPES[fmt], "srcset": self.srcset(fmt)}
            for fmt in images.RENDITION_FORMATS
            if any(r["format"] == fmt for r in self.renditions) and fmt != fallback
        ]

    @property
    def fallback_format(self):
        formats = [r["format"] for r in self.renditions]
        return "png" if "png" in formats else "jpeg"

    def srcset(self, fmt):
        return ", ".join(
            f"{default_storage.url(r['name'])} {r['width']}w"
            for r in self.renditions
            if r["format"] == fmt
        )

    @property
    def fallback_srcset(self):
        return self.srcset(self.fallback_format)

    def rendition(self, fmt=None, near_width=800):
        """Return the rendition of a format (the fallback by default) closest in width."""
        fmt = fmt or self.fallback_format
        candidates = [r for r in self.renditions if r["format"] == fmt]
        if not candidates:
            return None
        return min(candidates, key=lambda r: (abs(r["width"] - near_width), r["width"]))

    @property
    def fallback_url(self):
        chosen = self.rendition()
        return default_storage.url(chosen["name"]) if chosen else self.file.url

    @property
    def thumbnail(self):
        chosen = self.rendition(near_width=0)
        return default_storage.url(chosen["name"]) if chosen else ""


def delete_image_files(sender, instance, **kwargs):
    """Delete an image's file and renditions once its deletion is committed."""
    names = instance.stored_files
    transaction.on_commit(lambda: images.delete_files(default_storage, names))


models.signals.post_delete.connect(
    delete_image_files, sender=Image, dispatch_uid="timeline-image-files"
)


class IllustrationQuerySet(models.QuerySet):
    def get_by_natural_key(self, image, target, slug):
        if target not in ILLUSTRATED:
            raise self.model.DoesNotExist(f"“{target}” is not an item that shows images.")
        return self.get(image__slug=image, **{f"{target}__slug": slug})

    def visible_to(self, user):
        """Return every illustration for someone who may preview drafts, else those
        whose image is published."""
        if can_preview(user):
            return self
        return self.filter(image__status=Publishable.Status.PUBLISHED)


def illustrations_prefetch(user):
    """Return the prefetch of an item's pictures that a reader sees, lead first, in order."""
    shown = Illustration.objects.visible_to(user).select_related("image", "image__source")
    return Prefetch("illustrations", queryset=shown.order_by("-lead", "order", "pk"))


class Illustration(models.Model):
    """One picture shown with one period, event, person or place, in order; one is the lead."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="illustrations")
    lead = models.BooleanField(
        default=False, help_text="Shown at the top of the page and on its social card."
    )
    order = models.PositiveIntegerField(default=0)
    period = models.ForeignKey(
        "timeline.Period",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="illustrations",
    )
    event = models.ForeignKey(
        "timeline.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="illustrations",
    )
    person = models.ForeignKey(
        "timeline.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="illustrations",
    )
    place = models.ForeignKey(
        "timeline.Place",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="illustrations",
    )

    objects = IllustrationQuerySet.as_manager()

    class Meta:
        ordering = ("order", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(**{f"{other}__isnull": other != target for other in ILLUSTRATED})
                        for target in ILLUSTRATED
                    ],
                    _connector=Q.OR,
                ),
                name="illustration_has_exactly_one_target",
            ),
            *[
                models.UniqueConstraint(
                    fields=[target], condition=Q(lead=True), name=f"illustration_one_lead_{target}"
                )
                for target in ILLUSTRATED
            ],
        ]

    def __str__(self):
        return f"{self.image} ({self.target})" if self.target is not None else str(self.image)

    def get_absolute_url(self):
        return self.target.get_absolute_url()

    def natural_key(self):
        return (*self.image.natural_key(), self.target_name, self.target.slug)

    natural_key.dependencies = ["timeline.image", *(f"timeline.{t}" for t in ILLUSTRATED)]

    def clean(self):
        super().clean()
        if len(self.target_names()) != 1:
            raise ValidationError(
                "An image is shown with exactly one period, event, person or place."
            )

    def target_names(self):
        """Return the names of the target fields that are set (an unsaved one counts)."""
        return [
            name
            for name in ILLUSTRATED
            if getattr(self, f"{name}_id") is not None
            or (self._meta.get_field(name).is_cached(self) and getattr(self, name))
        ]

    @property
    def target_name(self):
        names = self.target_names()
        return names[0] if names else None

    @property
    def target(self):
        name = self.target_name
        return getattr(self, name) if name else None
