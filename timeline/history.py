"""Every save of an item is one revision: its fields, its links and its inlines together.

django-reversion stores the revisions. An item is what an editor opens in the admin
(an event, a person, a period...); its inlines (citations, participations) are
versioned with it, so one revision of an event holds the event, its places and kinds,
and each of its citations and participations as they were, and reverting to it brings
all of them back and removes inlines added since.

This module registers the models, reads an item's state (a Snapshot) from the
database or from a revision, compares two states field by field, fingerprints a
state so that a form can tell whether the item changed after it was opened, and
records the revisions of a fixture load.
"""

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst
from reversion.models import Revision, Version

from timeline.models import (
    Citation,
    Event,
    EventKind,
    Illustration,
    Participation,
    Period,
    Person,
    Place,
    Source,
    Topic,
)

# Each item, with the inlines saved and versioned with it (reverse accessors).
ITEMS = {
    Topic: ("citations",),
    Period: ("citations", "illustrations"),
    Event: ("participations", "citations", "illustrations"),
    Person: ("participations", "citations", "illustrations"),
    Place: ("citations", "illustrations"),
    Source: (),
    EventKind: (),
}
# Inlines have admin pages of their own too, where a save versions the inline alone.
PARTS = (Citation, Participation, Illustration)

IMPORTED = "Initial import from the fixtures"
RELOADED = "Reloaded from the fixtures over the content (loadcontent --force)"


def register():
    """Register the items, each following its inlines, and the inlines themselves."""
    for model, inlines in ITEMS.items():
        if not reversion.is_registered(model):
            reversion.register(model, follow=inlines)
    for model in PARTS:
        if not reversion.is_registered(model):
            reversion.register(model)


# Registered on import: the admin imports this module, and so does loadcontent.
register()


@cache
def tracked_fields(model):
    """Return the fields an editor sets: editable columns and plain many-to-many links.

    Derived columns (date bounds, search text, positions) are stored in each
    version too, and recomputed whenever a version is reverted, but they are not
    what an editor changed, so comparisons leave them out.
    """
    columns = [
        f for f in model._meta.concrete_fields if f.editable and f.serialize and not f.primary_key
    ]
    links = [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    return tuple(columns + links)


@cache
def inline_relations(model):
    """Return (accessor, inline model, foreign key to the item) for each inline of an item."""
    relations = []
    for accessor in ITEMS.get(model, ()):
        relation = model._meta.get_field(accessor)
        relations.append((accessor, relation.related_model, relation.field))
    return tuple(relations)


@cache
def owners(part_model):
    """Return (item model, foreign key) for each kind of item a part of this model belongs to."""
    return tuple(
        (item_model, fk)
        for item_model in ITEMS
        for _, related, fk in inline_relations(item_model)
        if related is part_model
    )


def canonical(value):
    """Return a value as one string, the same for equal values wherever they were read."""
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)


def fingerprint(value):
    return hashlib.blake2s(canonical(value).encode(), digest_size=6).hexdigest()


@dataclass
class Part:
    """An inline (a citation, a participation) as it was at one moment."""

    label: str
    model: type
    values: dict


@dataclass
class Snapshot:
    """An item's tracked values at one moment, and its inlines' keyed (accessor, id)."""

    model: type
    values: dict
    parts: dict = field(default_factory=dict)

    def digests(self):
        """Return a fingerprint of each field and each inline, keyed by name."""
        digests = {name: fingerprint(value) for name, value in self.values.items()}
        for (accessor, pk), part in self.parts.items():
            digests[f"{accessor}:{pk}"] = fingerprint(part.values)
        return digests


def values_of(obj):
    """Return the tracked values of a model object, many-to-many links as sorted ids."""
    values = {}
    for model_field in tracked_fields(type(obj)):
        if model_field.many_to_many:
            values[model_field.name] = sorted(
                related.pk for related in getattr(obj, model_field.name).all()
            )
        else:
            values[model_field.name] = getattr(obj, model_field.attname)
    return values


def values_of_version(version, model):
    """Return the tracked values stored in a version, keyed as values_of() keys them."""
    stored = version.field_dict
    values = {}
    for model_field in tracked_fields(model):
        if model_field.many_to_many:
            values[model_field.name] = sorted(stored.get(model_field.attname) or [])
        else:
            values[model_field.name] = stored.get(model_field.attname)
    return values


def snapshot(obj):
    """Return the state of an item read from the database (prefetch its inlines to save queries)."""
    parts = {}
    for accessor, _, _ in inline_relations(type(obj)):
        for part in getattr(obj, accessor).all():
            parts[accessor, str(part.pk)] = Part(str(part), type(part), values_of(part))
    return Snapshot(type(obj), values_of(obj), parts)


def fetch_items(model, pks, lock=False):
    """Return the items with these ids, their inlines and links fetched in a few queries.

    With lock, the rows of the items and of their inlines are locked until the
    transaction ends (SELECT ... FOR UPDATE; SQLite takes its write lock at BEGIN).
    """
    manager = model._base_manager
    queryset = manager.select_for_update() if lock else manager.all()
    prefetches = []
    for accessor, part_model, fk in inline_relations(model):
        # An inline's name (its version's object_repr) names the rows it links.
        named = [f.name for f in part_model._meta.concrete_fields if f.is_relation and f != fk]
        parts = part_model._base_manager.order_by("pk").select_related(*named)
        prefetches.append(
            Prefetch(accessor, parts.select_for_update(of=("self",)) if lock else parts)
        )
    links = [f.name for f in tracked_fields(model) if f.many_to_many]
    return queryset.filter(pk__in=pks).prefetch_related(*prefetches, *links)


def model_of(version):
    return ContentType.objects.get_for_id(version.content_type_id).model_class()


def snapshots_of_versions(versions):
    """Return {version id: Snapshot} for versions of items, their inlines read from the
    same revisions in one query."""
    versions = list(versions)
    part_models = {part for v in versions for _, part, _ in inline_relations(model_of(v))}
    stored_parts = {}
    if part_models:
        types = ContentType.objects.get_for_models(*part_models).values()
        revisions = {version.revision_id for version in versions}
        for part in Version.objects.filter(revision_id__in=revisions, content_type__in=types):
            stored_parts.setdefault(part.revision_id, []).append(part)
    snapshots = {}
    for version in versions:
        model = model_of(version)
        parts = {}
        for accessor, part_model, fk in inline_relations(model):
            for stored in stored_parts.get(version.revision_id, []):
                if model_of(stored) is not part_model:
                    continue
                if str(stored.field_dict.get(fk.attname)) == version.object_id:
                    values = values_of_version(stored, part_model)
                    parts[accessor, stored.object_id] = Part(stored.object_repr, part_model, values)
        snapshots[version.pk] = Snapshot(model, values_of_version(version, model), parts)
    return snapshots


def versions_of(model, object_id):
    """Return the versions of one item, newest first, with their revisions and users."""
    return (
        Version.objects.get_for_object_reference(model, object_id)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def latest_versions(model, pks):
    """Return {object id: latest version} for the items with these ids that have one."""
    versions = Version.objects.get_for_model(model).filter(object_id__in=[str(pk) for pk in pks])
    latest = versions.values("object_id").annotate(latest=Max("pk")).values("latest")
    return {version.object_id: version for version in Version.objects.filter(pk__in=latest)}


def latest_revision_id(model, pk, parts=None):
    """Return the id of the latest revision holding the item or one of its inlines, or 0."""
    types = ContentType.objects.get_for_models(model, *PARTS)
    condition = Q(content_type=types[model], object_id=str(pk))
    ids = {}
    for (_, part_pk), part in (parts or {}).items():
        ids.setdefault(part.model, []).append(part_pk)
    for part_model, part_ids in ids.items():
        condition |= Q(content_type=types[part_model], object_id__in=part_ids)
    found = Version.objects.filter(condition).aggregate(latest=Max("revision_id"))["latest"]
    return found or 0


@dataclass
class Marker:
    """What an edit form was opened on: the item's latest revision and its fingerprints.

    A form carries it in a hidden field; at save time it is compared with the item
    as it is then, to refuse a save that would overwrite someone else's edit.
    """

    revision: int
    digests: dict
    snapshot: Snapshot | None = None

    @classmethod
    def of(cls, model, pk, lock=False):
        """Return the marker of the item as stored now; lock its rows with lock."""
        obj = fetch_items(model, [pk], lock=lock).first()
        if obj is None:
            return cls(latest_revision_id(model, pk), {})
        state = snapshot(obj)
        return cls(latest_revision_id(model, pk, state.parts), state.digests(), state)

    def encode(self):
        return json.dumps({"revision": self.revision, "digests": self.digests}, sort_keys=True)

    @classmethod
    def decode(cls, text):
        """Return the marker a form sent, or None for none or one that is not a marker."""
        try:
            data = json.loads(text)
            return cls(int(data["revision"]), dict(data["digests"]))
        except (TypeError, ValueError, KeyError):
            return None

    def differs_from(self, other):
        return self.revision != other.revision or self.digests != other.digests

    def changed_names(self, other):
        """Return the field names and inline keys whose fingerprints differ from other's."""
        names = self.digests.keys() | other.digests.keys()
        return sorted(name for name in names if self.digests.get(name) != other.digests.get(name))


# Words, runs of white space and single other characters: a difference is shown
# word by word, and the text reads back exactly when the pieces are joined.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# An unchanged stretch longer than this is shortened to its two ends.
CONTEXT = 160


def _shorten(text, first, last):
    """Return an unchanged stretch of a long text with its middle left out."""
    if len(text) <= 2 * CONTEXT + 20:
        return escape(text)
    head = text[:CONTEXT].rsplit(" ", 1)[0] if not first else ""
    tail = text[-CONTEXT:].split(" ", 1)[-1] if not last else ""
    return format_html('{}<span class="diff-gap"> … </span>{}', head, tail)


def _word_opcodes(before, after):
    """Return difflib's opcodes, two changes apart only by white space made one."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    merged = []
    for opcode in matcher.get_opcodes():
        if (
            opcode[0] != "equal"
            and len(merged) >= 2
            and merged[-1][0] == "equal"
            and "".join(before[merged[-1][1] : merged[-1][2]]).isspace()
            and merged[-2][0] != "equal"
        ):
            merged.pop()
            previous = merged.pop()
            opcode = ("replace", previous[1], opcode[2], previous[3], opcode[4])
        merged.append(opcode)
    return merged


def word_diff(old, new):
    """Return HTML of new with words removed from old in <del> and added words in <ins>."""
    before, after = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    opcodes = _word_opcodes(before, after)
    pieces = []
    for number, (operation, i1, i2, j1, j2) in enumerate(opcodes):
        if operation == "equal":
            text = "".join(before[i1:i2])
            pieces.append(_shorten(text, number == 0, number == len(opcodes) - 1))
            continue
        if i2 > i1:
            pieces.append(format_html("<del>{}</del>", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(format_html("<ins>{}</ins>", "".join(after[j1:j2])))
    return mark_safe("".join(str(piece) for piece in pieces))


class Labels:
    """Names of related rows for display, looked up once each."""

    def __init__(self):
        self.found = {}

    def __call__(self, model, pk):
        key = (model, pk)
        if key not in self.found:
            obj = model._base_manager.filter(pk=pk).first()
            self.found[key] = str(obj) if obj is not None else f"#{pk} (deleted)"
        return self.found[key]


def shown(model_field, value, labels):
    """Return a stored value as an editor reads it: names for ids, labels for choices."""
    if model_field.many_to_many:
        return [labels(model_field.related_model, pk) for pk in value or []]
    if value is None or value == "":
        return ""
    if model_field.is_relation:
        return labels(model_field.related_model, value)
    if hasattr(model_field, "text_of"):  # names: one a line, as the editor typed them
        return model_field.text_of(value)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def difference(model_field, old, new, labels):
    """Return HTML showing how a field's value changed."""
    before, after = shown(model_field, old, labels), shown(model_field, new, labels)
    if model_field.many_to_many:
        items = [(name, "del") for name in before if name not in after]
        items += [(name, "ins" if name not in before else "") for name in after]
        return format_html_join(
            ", ",
            "{}",
            ((format_html(f"<{tag}>{{}}</{tag}>", name) if tag else name,) for name, tag in items),
        )
    return word_diff(before, after)


@dataclass
class Change:
    """How one field differs between two states."""

    label: str
    html: str


@dataclass
class PartChange:
    """An inline added, removed or changed between two states, with its fields' changes."""

    label: str
    kind: str
    changes: list


def _changes(model, old, new, labels, order=(), skip=()):
    fields = sorted(
        (f for f in tracked_fields(model) if f.name not in skip),
        key=lambda f: order.index(f.name) if f.name in order else len(order),
    )
    return [
        Change(capfirst(f.verbose_name), difference(f, old.get(f.name), new.get(f.name), labels))
        for f in fields
        if canonical(old.get(f.name)) != canonical(new.get(f.name))
    ]


def compare(old, new, order=()):
    """Return the fields that differ from old to new, and the inlines added, removed or changed.

    order lists field names in the order to show them (the form's); others follow.
    """
    labels = Labels()
    fields = _changes(old.model, old.values, new.values, labels, order)
    parts = []
    keys = old.parts.keys() | new.parts.keys()
    accessors = [accessor for accessor, _, _ in inline_relations(old.model)]
    fks = {accessor: fk.name for accessor, _, fk in inline_relations(old.model)}
    for key in sorted(keys, key=lambda key: (accessors.index(key[0]), key[1].zfill(20))):
        before, after = old.parts.get(key), new.parts.get(key)
        part_model = (before or after).model
        name = capfirst(part_model._meta.verbose_name)
        skip = (fks[key[0]],)
        if before is None:
            changes = _changes(part_model, {}, after.values, labels, skip=skip)
            parts.append(PartChange(f"{name} “{after.label}”", "added", changes))
        elif after is None:
            changes = _changes(part_model, before.values, {}, labels, skip=skip)
            parts.append(PartChange(f"{name} “{before.label}”", "removed", changes))
        elif canonical(before.values) != canonical(after.values):
            changes = _changes(part_model, before.values, after.values, labels, skip=skip)
            parts.append(PartChange(f"{name} “{after.label}”", "changed", changes))
    return fields, parts


def items_of(objects):
    """Return {item model: ids} of the items that objects are, or are inlines of."""
    items = {}
    for obj in objects:
        model = type(obj)
        if model in ITEMS:
            items.setdefault(model, set()).add(obj.pk)
        for item_model, fk in owners(model):
            pk = getattr(obj, fk.attname)
            if pk is not None:
                items.setdefault(item_model, set()).add(pk)
    return items


def versions_of_objects(objects):
    """Return unsaved versions of objects, as reversion.add_to_revision() makes them under
    the registration above (every field, foreign keys as ids, JSON as Django's "json"
    serializer writes it), serialized in one pass."""
    rows = serializers.serialize("python", objects)
    types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    return [
        Version(
            content_type=types[type(obj)],
            object_id=str(obj.pk),
            db=router.db_for_write(type(obj), instance=obj),
            format="json",
            serialized_data=json.dumps([row], cls=DjangoJSONEncoder, ensure_ascii=False),
            object_repr=str(obj),
        )
        for obj, row in zip(objects, rows, strict=True)
    ]


def recorded_states(model, objs):
    """Return {item id: Snapshot} of the items as their history has them, for those with one.

    That is each item's latest version with its inlines, except where an inline was
    saved on its own page since: then the inline's own latest version counts.
    """
    latest = latest_versions(model, [obj.pk for obj in objs])
    if not latest:
        return {}
    states = snapshots_of_versions(latest.values())
    for accessor, part_model, fk in inline_relations(model):
        ids = [part.pk for obj in objs for part in getattr(obj, accessor).all()]
        for part_version in latest_versions(part_model, ids).values():
            item_id = str(part_version.field_dict.get(fk.attname))
            version = latest.get(item_id)
            if version is not None and part_version.revision_id > version.revision_id:
                values = values_of_version(part_version, part_model)
                part = Part(part_version.object_repr, part_model, values)
                states[version.pk].parts[accessor, part_version.object_id] = part
    to_python = model._meta.pk.to_python
    return {to_python(object_id): states[version.pk] for object_id, version in latest.items()}


def record_revisions(objects, comment):
    """Record a revision for each item saved in objects (itself or through an inline)
    that differs from what its history holds; return how many were recorded.

    Each item gets a revision of its own, holding it and its inlines, so that
    reverting or recovering one item never touches another. An item that a load
    saved as its history already has it gets no new revision. The revisions and
    their versions are inserted in bulk: one revision block per item made a load
    of the fixtures half as slow again.
    """
    pending = []
    for model, pks in items_of(objects).items():
        objs = list(fetch_items(model, pks))
        recorded = recorded_states(model, objs)
        for obj in objs:
            state = recorded.get(obj.pk)
            if state is not None and state.digests() == snapshot(obj).digests():
                continue
            parts = [
                part
                for accessor, _, _ in inline_relations(model)
                for part in getattr(obj, accessor).all()
            ]
            pending.append([obj, *parts])
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, comment=comment) for _ in pending]
    )
    versions = versions_of_objects([obj for objs in pending for obj in objs])
    their_revisions = [rev for rev, objs in zip(revisions, pending, strict=True) for _ in objs]
    for version, revision in zip(versions, their_revisions, strict=True):
        version.revision = revision
    Version.objects.bulk_create(versions)
    # Check the new rows' references now, as the load checks its own: PostgreSQL
    # defers the check to the commit, and pending checks also block a TRUNCATE.
    tables = [Revision._meta.db_table, Version._meta.db_table]
    connections[router.db_for_write(Version)].check_constraints(table_names=tables)
    return len(pending)


def describe_changes(model, opened, current):
    """Return, one phrase each, what differs between an item as a form opened it
    (opened, a Marker) and as it is now (current, a Marker read with its snapshot)."""
    state = current.snapshot
    fields = {f.name: f for f in tracked_fields(model)}
    inlines = {accessor: part_model for accessor, part_model, _ in inline_relations(model)}
    labels = Labels()
    phrases = []
    for name in opened.changed_names(current):
        if name in fields:
            label = capfirst(fields[name].verbose_name)
            value = shown(fields[name], state.values.get(name), labels) if state else ""
            if isinstance(value, list):
                value = ", ".join(value)
            now = f"now “{Truncator(value).chars(80)}”" if value else "now empty"
            phrases.append(f"{label} ({now})")
            continue
        accessor, _, pk = name.partition(":")
        part_model = inlines.get(accessor)
        if part_model is None:
            continue
        part = state.parts.get((accessor, pk)) if state else None
        if part is not None:
            label = part.label
        else:
            stored = Version.objects.get_for_object_reference(part_model, pk).first()
            label = stored.object_repr if stored else f"#{pk}"
        if name not in opened.digests:
            status = "added"
        elif name not in current.digests:
            status = "removed"
        else:
            status = "changed"
        phrases.append(f"{capfirst(part_model._meta.verbose_name)} “{label}” {status}")
    return phrases
