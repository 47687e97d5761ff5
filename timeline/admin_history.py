"""The editors' newsroom: history, differences, revert and recovery, and no lost edits.

HistoryAdmin is the base of every timeline ModelAdmin. On top of django-reversion's
VersionAdmin (a revision for each save, revert, recovery of deleted items) it adds:

- a "Comment on this change" field, stored as the revision's comment;
- a history page that compares any two revisions, field by field and word by word,
  inlines included (timeline/history.py does the comparing);
- a refusal to save over an edit made after the form was opened. The form carries
  a marker of the item as it was opened (its latest revision and a fingerprint of
  each field and inline); at save time the item is read again with its rows
  locked, and if it changed, the save is refused with a form error naming who
  changed what and when. The editor's input stays in the form, and the marker is
  brought up to date, so saving again after reading the error overwrites knowingly.
"""

from contextlib import contextmanager

import reversion
from django import forms
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from timeline import history

COMMENT = "revision_comment"
MARKER = "edit_marker"
HISTORY_FIELDS = (COMMENT, MARKER)


def moment(value):
    """Return a date and time as the admin shows them, in the site's time zone."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


class EditConflictForm:
    """Refuse to save an item that changed after the form was opened (see history.Marker).

    HistoryAdmin.get_form() mixes this into the admin's form and sets the attributes.
    """

    history_admin = None
    # The item's marker read before a revert or recovery rewrote its rows, if any.
    history_live = None

    @cached_property
    def changed_data(self):
        # The comment and the marker are not the item's data: "Changed Title.", not
        # "Changed Title and edit_marker.".
        return [name for name in super().changed_data if name not in HISTORY_FIELDS]

    def clean(self):
        cleaned = super().clean()
        opened = history.Marker.decode(cleaned.get(MARKER))
        # An add form has nothing to conflict with; a form without a marker (one not
        # rendered by this admin) cannot say what it was opened on.
        if opened is None or self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = self.history_live or history.Marker.of(model, self.instance.pk, lock=True)
        if opened.differs_from(current):
            data = self.data.copy()
            data[self.add_prefix(MARKER)] = current.encode()
            self.data = data
            message = self.history_admin.conflict_message(self.instance, opened, current)
            raise ValidationError(message, code="edit-conflict")
        return cleaned


class HistoryAdmin(VersionAdmin):
    """A ModelAdmin whose every save is a revision, with history, comparison and revert,
    and which refuses a save that would overwrite someone else's edit."""

    object_history_template = "admin/timeline/history/object_history.html"
    compare_template = "admin/timeline/history/compare.html"
    history_latest_first = True

    # The change form: a comment field, and the marker the conflict check needs.

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in HISTORY_FIELDS]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        can_save = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if can_save:
            fieldsets.append(("History", {"fields": HISTORY_FIELDS}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" in kwargs:
            fields = kwargs.pop("fields")
        else:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            fields = [name for name in fields if name not in HISTORY_FIELDS]
        form = super().get_form(request, obj, change, fields=fields, **kwargs)
        live = getattr(request, "history_live", None)
        attrs = {
            COMMENT: forms.CharField(
                label="Comment on this change",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
                help_text="Kept with this revision in the history: what you changed and why.",
            ),
            MARKER: forms.CharField(
                required=False,
                widget=forms.HiddenInput,
                initial=live.encode() if live is not None else "",
            ),
            "history_admin": self,
            "history_live": live,
        }
        return type(form.__name__, (EditConflictForm, form), attrs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and request.method == "GET":
            # Read before the form reads the item: an edit saved in between then shows
            # as a conflict at save time, never slips through unnoticed.
            self.remember_live_item(request, unquote(object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def conflict_message(self, obj, opened, current):
        """Return the form error for an item changed since its form was opened."""
        name = obj._meta.verbose_name
        if current.revision and current.revision != opened.revision:
            revision = Revision.objects.select_related("user").get(pk=current.revision)
            editor = revision.user.get_username() if revision.user else "someone"
            who = format_html(
                "{} saved this {} on {},", editor, name, moment(revision.date_created)
            )
        else:
            who = format_html("This {} was changed outside the admin,", name)
        phrases = history.describe_changes(type(obj), opened, current)
        changed = ""
        if phrases:
            items = format_html_join("", "<li>{}</li>", ((phrase,) for phrase in phrases))
            changed = format_html(" What changed:<ul>{}</ul>", items)
        link = ""
        compare_url = self.compare_url_between(obj, opened.revision, current.revision)
        if compare_url:
            link = format_html('<a href="{}">See their changes</a>. ', compare_url)
        return format_html(
            "{} after you opened this page, so your changes were not saved; they are still "
            "in the form below.{}{}Take over what you want to keep of their version, then "
            "save again: that replaces their version with yours.",
            who,
            changed,
            link,
        )

    def compare_url_between(self, obj, old_revision, new_revision):
        """Return the address comparing the item's versions in two revisions, if it has both."""
        versions = Version.objects.get_for_object(obj)
        old = versions.filter(revision_id=old_revision).first()
        new = versions.filter(revision_id=new_revision).first()
        if old is None or new is None or old == new:
            return ""
        return self.compare_url(obj.pk, old, new)

    # The revision's comment: the editor's, or what a revert or recovery restored.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        request.history_comment = form.cleaned_data.get(COMMENT, "")

    @contextmanager
    def create_revision(self, request):
        with super().create_revision(request):
            yield
            comment = getattr(request, "history_comment", "")
            reverted = getattr(request, "history_reverted", None)
            if reverted is not None:
                reversion.set_comment(self.revert_comment(reverted, comment))
            elif comment:
                reversion.set_comment(comment)

    def revert_comment(self, version, comment=""):
        revision = version.revision
        verb = "Recovered from" if getattr(version, "recovered", False) else "Reverted to"
        text = f"{verb} the revision of {moment(revision.date_created)}"
        if revision.user:
            text += f" by {revision.user.get_username()}"
        elif revision.comment:
            text += f" ({revision.get_comment()})"
        return f"{text}: {comment}" if comment else text

    # Revert and recovery: check conflicts against the item as it was before the
    # revert rewrote it, in the same transaction.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic(using=router.db_for_write(self.model)):
            self.remember_live_item(request, unquote(object_id), version_id)
            return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        with transaction.atomic(using=router.db_for_write(self.model)):
            version = Version.objects.filter(pk=version_id).first()
            if version is not None:
                self.remember_live_item(request, version.object_id, version_id, recovered=True)
            return super().recover_view(request, version_id, extra_context)

    def remember_live_item(self, request, object_id, version_id=None, recovered=False):
        """Read the item's marker before this request changes anything, and with a
        version, the revision a revert or recovery goes back to."""
        if hasattr(request, "history_live"):
            return  # A revert's form is read after the revert: keep what was read before.
        try:
            pk = self.opts.pk.to_python(object_id)
            if version_id is not None:
                version = Version.objects.select_related("revision__user").get(pk=version_id)
                version.recovered = recovered
                request.history_reverted = version
        except (ValidationError, ValueError, Version.DoesNotExist):
            return  # The admin answers 404 or redirects.
        lock = request.method == "POST"
        request.history_live = history.Marker.of(self.model, pk, lock=lock)

    # The history page, and comparing two revisions.

    def compare_url(self, object_id, old, new):
        url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_compare",
            args=(quote(object_id),),
        )
        return f"{url}?from={old.pk}&to={new.pk}"

    def history_view(self, request, object_id, extra_context=None):
        versions = list(history.versions_of(self.model, unquote(object_id)))
        revert = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_revision"
        rows = []
        for number, version in enumerate(versions):
            older = versions[number + 1] if number + 1 < len(versions) else None
            rows.append(
                {
                    "version": version,
                    "revision": version.revision,
                    "revert_url": reverse(revert, args=(quote(version.object_id), version.pk)),
                    "compare_url": self.compare_url(object_id, older, version) if older else "",
                }
            )
        context = {"revisions": rows, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = history.versions_of(self.model, obj.pk)
        try:
            chosen = [versions.get(pk=int(request.GET[key])) for key in ("from", "to")]
        except (KeyError, ValueError, Version.DoesNotExist):
            raise Http404("Choose two revisions of this item to compare.") from None
        old, new = sorted(chosen, key=lambda version: (version.revision.date_created, version.pk))
        states = history.snapshots_of_versions([old, new])
        order = flatten_fieldsets(self.get_fieldsets(request, obj))
        fields, parts = history.compare(states[old.pk], states[new.pk], order)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to {obj}",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "old": old,
            "new": new,
            "fields": fields,
            "parts": parts,
        }
        return TemplateResponse(request, self.compare_template, context)

    def get_urls(self):
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_compare",
        )
        return [compare, *super().get_urls()]
