"""Move the site's content in and out of the database as natural-key JSON.

loadcontent, backup and restore share this module. Content is every row of the
models in CONTENT_APPS, written as ``dumpdata --natural-foreign --natural-primary``
writes it, so rows are matched by natural key (a slug, a citation's key), never by
primary key, and a dump loads into any database.

A backup is a gzip-compressed tar archive, ``histsite-backup-<UTC time>.tar.gz``:

- ``manifest.json``: the format name and version, when it was made, the schema it
  was made from (the latest migration of each content app) and the rows per model;
- ``content.json``: the content rows, a JSON list that ``loaddata`` also reads.

- ``media/...``: every file under MEDIA_ROOT (uploaded images), at its path there,
  when MEDIA_ROOT holds any; restore writes them back.

Later versions may add members beside these; restore reads the ones it knows.
restore also accepts a bare JSON list of rows, such as ``dumpdata`` writes.
"""

import datetime
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.management.color import no_style
from django.core.serializers import base
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

# Users, sessions and the admin log are accounts and history, not content: they
# stay out of backups, and loading or restoring content leaves them alone.
CONTENT_APPS = ("timeline",)

FORMAT = "histsite-backup"
VERSION = 1
MANIFEST = "manifest.json"
CONTENT = "content.json"
MEDIA = "media/"


class LoadError(Exception):
    """A row that cannot be loaded, told in one line: where, which object, which field."""

    def __init__(self, source, message, obj=None, field=None):
        self.source, self.obj, self.field = source, obj, field
        self.message = " ".join(str(message).split())
        super().__init__(": ".join(part for part in (source, obj, field, self.message) if part))


class BackupError(Exception):
    """A backup file that cannot be written or read."""


def content_models():
    """Return the content models in an order their rows can be loaded in."""
    app_list = [(apps.get_app_config(label), None) for label in CONTENT_APPS]
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def has_content(using=DEFAULT_DB_ALIAS):
    """Return whether any content model has a row."""
    return any(model._base_manager.using(using).exists() for model in content_models())


def content_objects(using=DEFAULT_DB_ALIAS):
    """Yield every content row, model by model, each model's rows by primary key."""
    for model in content_models():
        # Natural keys of related rows are read for every row, so fetch them up front.
        related = [field.name for field in model._meta.fields if field.is_relation]
        many = [
            field.name
            for field in model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
        yield from queryset.select_related(*related).prefetch_related(*many)


def natural_key(obj):
    """Return the key a row is matched by: its natural key, or its primary key."""
    return tuple(obj.natural_key()) if hasattr(obj, "natural_key") else (obj.pk,)


def dump(using=DEFAULT_DB_ALIAS):
    """Return the content as dumpdata --natural-foreign --natural-primary writes it.

    The answer maps (model label, natural key) to the row, in load order.
    """
    objects = list(content_objects(using))
    text = serializers.serialize(
        "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    rows = json.loads(text)
    return {
        (obj._meta.label_lower, natural_key(obj)): row
        for obj, row in zip(objects, rows, strict=True)
    }


def delete_content(using=DEFAULT_DB_ALIAS):
    """Delete every content row and return how many there were."""
    models = content_models()
    for model in models:
        # A row protected by its own children (a period's parent) could never go
        # first, so cut the links inside each model before deleting.
        inner = [
            field.name
            for field in model._meta.fields
            if field.is_relation and field.related_model is model and field.null
        ]
        if inner:
            model._base_manager.using(using).update(**dict.fromkeys(inner))
    deleted = 0
    for model in reversed(models):
        deleted += model._base_manager.using(using).count()
        model._base_manager.using(using).all().delete()
    return deleted


def default_directory():
    """Return where backups go unless told otherwise: backups/ beside manage.py."""
    return Path(settings.BASE_DIR, "backups")


def timestamped_path(directory, now=None):
    """Return an unused, timestamped backup path in directory."""
    now = now or datetime.datetime.now(datetime.UTC)
    stem = f"histsite-backup-{now:%Y%m%dT%H%M%SZ}"
    path = Path(directory, f"{stem}.tar.gz")
    number = 1
    while path.exists():
        number += 1
        path = Path(directory, f"{stem}-{number}.tar.gz")
    return path


def schema(using=DEFAULT_DB_ALIAS):
    """Return the latest applied migration of each content app."""
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return {
        label: max((name for app, name in applied if app == label), default=None)
        for label in CONTENT_APPS
    }


def write_backup(content, path, using=DEFAULT_DB_ALIAS):
    """Write content (as dump() returns it) to a new backup archive at path."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists; a backup never overwrites a file.")
    rows = list(content.values())
    counts = {}
    for label, _ in content:
        counts[label] = counts.get(label, 0) + 1
    now = datetime.datetime.now(datetime.UTC)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": now.isoformat(timespec="seconds"),
        "schema": schema(using),
        "counts": counts,
    }
    members = {
        MANIFEST: json.dumps(manifest, indent=2),
        CONTENT: json.dumps(rows, indent=2, ensure_ascii=False),
    }
    media = media_files()
    if media:
        manifest["media"] = len(media)
        members[MANIFEST] = json.dumps(manifest, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a backup cut short never looks whole.
    partial = path.with_name(path.name + ".part")
    try:
        with tarfile.open(partial, "w:gz") as archive:
            for name, text in members.items():
                data = text.encode("utf-8")
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o644
                archive.addfile(info, io.BytesIO(data))
            for name, file_path in media:
                archive.add(file_path, arcname=MEDIA + name, recursive=False)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def media_files():
    """Return (name, path) for every file under MEDIA_ROOT, names relative to it."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return [
        (file.relative_to(root).as_posix(), file)
        for file in sorted(root.rglob("*"))
        if file.is_file() and not file.is_symlink()
    ]


def restore_media(path):
    """Write the media files of a backup archive into MEDIA_ROOT; return how many.

    Files of the same name are replaced; files the backup does not hold are left.
    Only plain files at plain relative paths are written: a member naming an
    absolute path, or one with "..", is refused before anything is written.
    """
    path = Path(path)
    if not tarfile.is_tarfile(path):
        return 0
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        with tarfile.open(path) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith(MEDIA)]
            for member in members:
                name = member.name[len(MEDIA) :]
                target = (root / name).resolve()
                if not member.isfile() or not name or root not in target.parents:
                    raise BackupError(f"{path}: refusing the media member {member.name!r}.")
            for member in members:
                target = root / member.name[len(MEDIA) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "wb") as out:
                    while chunk := source.read(1 << 20):
                        out.write(chunk)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path}: media cannot be restored: {error}") from None
    return len(members)


def read_backup(path):
    """Return the content rows of a backup archive, or of a JSON list of rows."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    try:
        if tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                manifest = json.load(_member(archive, path, MANIFEST))
                if manifest.get("format") != FORMAT:
                    raise BackupError(f"{path}: not a histsite backup.")
                if manifest.get("version", 0) > VERSION:
                    raise BackupError(
                        f"{path}: backup format {manifest['version']} is newer than this "
                        f"site reads ({VERSION}); restore it with a newer version."
                    )
                rows = json.load(_member(archive, path, CONTENT))
        else:
            rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, tarfile.TarError) as error:
        raise BackupError(f"{path}: cannot be read: {error}") from None
    if not isinstance(rows, list):
        raise BackupError(f"{path}: the content is not a list of rows.")
    return rows


def _member(archive, path, name):
    try:
        return archive.extractfile(name)
    except KeyError:
        raise BackupError(f"{path}: the archive has no {name}.") from None


def display_path(path):
    """Return path relative to the project when it lies inside it, for messages."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def read_fixtures(paths):
    """Return (name, rows) for each JSON fixture file."""
    sources = []
    for path in paths:
        name = display_path(path)
        try:
            rows = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise LoadError(name, f"cannot be read as JSON: {error}") from None
        if not isinstance(rows, list):
            raise LoadError(name, "a fixture file holds a JSON list of objects")
        sources.append((name, rows))
    return sources


def key_fields(model):
    """Return the names of the fields whose values make up the model's natural key.

    A natural key here is a unique field (a slug, a citation's key) or the fields
    of a unique constraint (a participation's event and person).
    """
    for model_field in model._meta.fields:
        if model_field.unique and not model_field.primary_key:
            return (model_field.name,)
    for constraint in model._meta.total_unique_constraints:
        return tuple(constraint.fields)
    return ()


def format_key(key):
    """Return a natural key as fixtures write it: "slug", or ["event", "person"]."""
    key = list(key)
    return json.dumps(key[0] if len(key) == 1 else key, ensure_ascii=False)


def _error_text(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ObjectDoesNotExist | KeyError):
        return f"{type(error).__name__}: {error}"
    return str(error) or type(error).__name__


def _validation_text(error):
    parts = []
    for name, messages in error.message_dict.items():
        # A field's validator and the model's clean() can say the same thing.
        text = " ".join(dict.fromkeys(messages))
        parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
    return "; ".join(parts)


@dataclass
class _Pending:
    """A saved object with references to rows later in the load, to resolve at the end."""

    source: str
    obj: str
    instance: object
    deferred: dict


class _Loader:
    """Save rows one by one, so that each failure can name its row and field.

    Rows are matched by natural key against an index of the content, read once
    and kept up to date as rows are saved: one query a model instead of one a
    reference (the 232 citations name the same article 200 times).
    """

    def __init__(self, using, validate):
        self.using, self.validate = using, validate
        self.index = {model: {} for model in content_models()}
        for obj in content_objects(using):
            self.index[type(obj)][natural_key(obj)] = obj
        self.loaded = {}
        self.saved = []
        self.pending = []
        self.with_pk = set()
        self.sources = []

    def load(self, source, rows):
        self.sources.append(source)
        for number, row in enumerate(rows, start=1):
            self.load_row(source, number, row)

    def load_row(self, source, number, row):
        if not (
            isinstance(row, dict)
            and isinstance(row.get("model"), str)
            and isinstance(row.get("fields"), dict)
        ):
            raise LoadError(source, "not an object with “model” and “fields”", f"object {number}")
        try:
            model = apps.get_model(row["model"])
        except (LookupError, ValueError):
            raise LoadError(source, "no such model", f"{row['model']} (object {number})") from None
        names = key_fields(model)
        key = row_key(row["fields"], names)
        label = model._meta.label_lower
        obj = f"{label} {format_key(key)}" if key else f"{label} (object {number})"
        if self.validate:
            missing = [name for name in names if row["fields"].get(name) in (None, "", [])]
            if missing:
                message = "missing: fixtures find objects by this natural key"
                raise LoadError(source, message, obj, missing[0])
        instance, many, deferred, resolved = self.build(source, obj, model, row)
        # A row with neither natural key nor primary key is new each time it loads.
        key = natural_key(instance)
        if key != (None,):
            if (model, key) in self.loaded:
                first = self.loaded[model, key]
                message = f"defined twice (also in {first}); a natural key names one object"
                raise LoadError(source, message, obj, ", ".join(names) or None)
            self.loaded[model, key] = source
        if self.validate:
            self.check(source, obj, instance, set(deferred), resolved)
        adding = instance._state.adding
        try:
            instance.save_base(using=self.using, raw=True)
            for name, values in many.items():
                # A new row has no links yet, so adding skips reading them back.
                related = getattr(instance, name)
                related.add(*values) if adding else related.set(values)
        except Exception as error:
            raise LoadError(source, _error_text(error), obj) from None
        if model in self.index and key != (None,):
            self.index[model][key] = instance
        self.saved.append(instance)
        if deferred:
            self.pending.append(_Pending(source, obj, instance, deferred))

    def build(self, source, obj, model, row):
        """Return the unsaved instance, its links, its forward references and the
        names of the references found in the index."""
        data, many, deferred, resolved = {}, {}, {}, set()
        opts = model._meta
        if "pk" in row:
            try:
                data[opts.pk.attname] = opts.pk.to_python(row["pk"])
            except Exception as error:
                raise LoadError(source, _error_text(error), obj, "pk") from None
            self.with_pk.add(model)
        allowed = {f.name: f for f in opts.fields} | {
            f.name: f for f in opts.many_to_many if f.remote_field.through._meta.auto_created
        }
        for name, value in row["fields"].items():
            model_field = allowed.get(name)
            if model_field is None:
                raise LoadError(source, f"{opts.label_lower} has no such field", obj, name)
            try:
                if model_field.many_to_many:
                    values = self.references(model_field, value)
                    if values is None:
                        deferred[model_field] = value
                    else:
                        many[name] = values
                elif model_field.is_relation and value is not None:
                    target = self.reference(model_field, value)
                    if target is None:
                        if not model_field.null:
                            # A required reference cannot wait for the end of the load.
                            message = self.unknown(model_field, value)
                            raise LoadError(source, message, obj, name)
                        deferred[model_field] = value
                    elif isinstance(target, models.Model):
                        data[name] = target
                        resolved.add(name)
                    else:
                        data[model_field.attname] = target
                else:
                    data[model_field.attname] = model_field.to_python(value)
            except LoadError:
                raise
            except Exception as error:
                raise LoadError(source, _error_text(error), obj, name) from None
        try:
            instance = model(**data)
            if instance.pk is None and hasattr(instance, "natural_key"):
                existing = self.index.get(model, {}).get(natural_key(instance))
                if existing is not None:
                    instance.pk = existing.pk
                    instance._state.adding = False
            elif instance.pk is not None:
                known = {other.pk for other in self.index.get(model, {}).values()}
                instance._state.adding = instance.pk not in known
        except Exception as error:
            raise LoadError(source, _error_text(error), obj) from None
        return instance, many, deferred, resolved

    def reference(self, model_field, value):
        """Return the row a natural key names (None if there is none yet), or else a
        primary key found the way loaddata finds it."""
        related = model_field.related_model
        by_key = self.index.get(related)
        natural = isinstance(value, list | tuple)
        if by_key is not None and natural and model_field.target_field.primary_key:
            return by_key.get(tuple(value))
        found = base.deserialize_fk_value(model_field, value, self.using, True)
        return None if found == base.DEFER_FIELD else found

    def references(self, model_field, values):
        """Return the primary keys of a many-to-many field's rows, or None if one is missing."""
        by_key = self.index.get(model_field.related_model)
        if by_key is None:
            found = base.deserialize_m2m_values(model_field, values, self.using, True)
            return None if found == base.DEFER_FIELD else found
        pks = []
        for value in values:
            target = by_key.get(tuple(value)) if isinstance(value, list | tuple) else value
            if target is None:
                return None
            pks.append(target.pk if isinstance(target, models.Model) else target)
        return pks

    def check(self, source, obj, instance, deferred, resolved):
        """Validate as full_clean() does: fields, clean(), unique fields and constraints.

        Left out: derived fields (editable=False, set by the pre_save signal),
        references not resolved yet, the existence of references found in the
        index, and check constraints, which clean() mirrors in a sentence and the
        database enforces on save (checking each in Python compiled a query per
        row and doubled the load's time).
        """
        exclude = {f.name for f in instance._meta.fields if not f.editable} | deferred
        errors = {}

        def failed():
            return exclude | {name for name in errors if name != NON_FIELD_ERRORS}

        steps = (
            lambda: instance.clean_fields(exclude=exclude | resolved),
            instance.clean,
            lambda: instance.validate_unique(exclude=failed()),
            lambda: self.validate_unique_constraints(instance, failed()),
        )
        for number, step in enumerate(steps):
            try:
                step()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            except Exception as error:
                field = self.failing_field(instance, exclude | resolved) if number == 0 else None
                raise LoadError(source, _error_text(error), obj, field) from None
        if errors:
            raise LoadError(source, _validation_text(ValidationError(errors)), obj)

    def validate_unique_constraints(self, instance, exclude):
        """Run Model.validate_constraints() for the unique constraints only."""
        errors = {}
        for model_class, constraints in instance.get_constraints():
            for constraint in constraints:
                if not isinstance(constraint, models.UniqueConstraint):
                    continue
                try:
                    constraint.validate(model_class, instance, exclude=exclude, using=self.using)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def failing_field(self, instance, exclude):
        """Return the field whose cleaning raises something other than ValidationError."""
        names = [f.name for f in instance._meta.fields if f.name not in exclude]
        for name in names:
            try:
                instance.clean_fields(exclude=[other for other in names if other != name])
            except ValidationError:
                continue
            except Exception:
                return name
        return None

    def unknown(self, model_field, value):
        label = model_field.related_model._meta.label_lower
        return f"no {label} has the natural key {format_key(value)}"

    def finish(self):
        """Resolve references to rows that came later in the load, and save them."""
        for pending in self.pending:
            instance, many = pending.instance, {}
            for model_field, value in pending.deferred.items():
                if model_field.many_to_many:
                    missing = [one for one in value if self.references(model_field, [one]) is None]
                    many[model_field.name] = self.references(model_field, value)
                else:
                    target = self.reference(model_field, value)
                    missing = [value] if target is None else []
                    setattr(instance, model_field.name, target)
                if missing:
                    message = self.unknown(model_field, missing[0])
                    raise LoadError(pending.source, message, pending.obj, model_field.name)
            try:
                instance.save_base(using=self.using, raw=True)
                for name, values in many.items():
                    getattr(instance, name).set(values)
            except Exception as error:
                raise LoadError(pending.source, _error_text(error), pending.obj) from None
        connection = connections[self.using]
        if self.with_pk:
            # Rows saved with their own primary keys leave PostgreSQL's sequences behind.
            statements = connection.ops.sequence_reset_sql(no_style(), list(self.with_pk))
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        # Foreign keys are checked at commit by default; check them now, as loaddata
        # does, so that a broken reference fails here and not in someone's commit.
        tables = [model._meta.db_table for model in self.index] + [
            field.remote_field.through._meta.db_table
            for model in self.index
            for field in model._meta.local_many_to_many
        ]
        try:
            connection.check_constraints(table_names=tables)
        except Exception as error:
            raise LoadError(", ".join(self.sources), _error_text(error)) from None


def row_key(fields, names):
    """Return a row's natural key as its fields give it (empty if they give none)."""
    key = []
    for name in names:
        value = fields.get(name)
        key.extend(value if isinstance(value, list) else [value])
    return tuple(key) if any(part not in (None, "") for part in key) else ()


def load(sources, *, validate=True, using=DEFAULT_DB_ALIAS):
    """Save the rows of each (name, rows) source in order; return the saved objects.

    Rows are matched to existing ones by natural key and overwrite them. With
    validate, each object is validated as full_clean() does and must carry its
    natural key. Any failure raises LoadError naming the source, the object and
    the field, and the load is one transaction: nothing of it stays behind.
    """
    with transaction.atomic(using=using):
        loader = _Loader(using, validate)
        for name, rows in sources:
            loader.load(name, rows)
        loader.finish()
    refresh_statistics(using)
    return loader.saved


def refresh_statistics(using=DEFAULT_DB_ALIAS, vacuum=False):
    """Have the database measure its tables anew after a bulk load.

    Without statistics SQLite's planner guesses, and guessed wrong on the timeline's
    people (6 ms of a 25-row page spent reading every published person's rows);
    PostgreSQL's autovacuum would measure them, but only some time later.

    With vacuum, PostgreSQL also clears the dead copies of rows that a bulk update
    left (reindex rewrites every row), where it can: not inside a transaction.
    """
    connection = connections[using]
    command = "ANALYZE"
    if vacuum and connection.vendor == "postgresql" and not connection.in_atomic_block:
        command = "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(command)


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass
class ModelChanges:
    """What loading rows over one model's content does to it."""

    overwritten: dict = field(default_factory=dict)
    recreated: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    altered: list = field(default_factory=list)

    def describe(self):
        parts = []
        if self.overwritten:
            names = sorted({name for names in self.overwritten.values() for name in names})
            count = len(self.overwritten)
            parts.append(f"{_plural(count, 'edited row')} overwritten (fields: {', '.join(names)})")
        if self.recreated:
            parts.append(f"{_plural(len(self.recreated), 'deleted row')} re-created")
        extra = len(self.kept) + len(self.altered)
        if extra:
            text = f"{_plural(extra, 'row')} not in the fixtures (added by editors)"
            if not self.altered:
                text += ", kept as they are" if extra > 1 else ", kept as it is"
            else:
                text += f", {len(self.altered)} of them changed or removed"
            parts.append(text)
        return "; ".join(parts)


@dataclass
class Changes:
    """What loading rows over the content does to it, per model label."""

    models: dict

    @classmethod
    def between(cls, before, after, loaded):
        """Compare two dumps around a load of the objects in loaded."""
        loaded_keys = {(obj._meta.label_lower, natural_key(obj)) for obj in loaded}
        models = {}

        def changes(label):
            return models.setdefault(label, ModelChanges())

        for key in loaded_keys:
            label = key[0]
            if key not in before:
                changes(label).recreated.append(key[1])
            elif before[key] != after.get(key):
                old, new = before[key]["fields"], after[key]["fields"]
                differing = sorted(
                    name for name in old.keys() | new.keys() if old.get(name) != new.get(name)
                )
                model = apps.get_model(label)
                editable = [name for name in differing if model._meta.get_field(name).editable]
                changes(label).overwritten[key[1]] = editable or differing
        for key in before.keys() - loaded_keys:
            if after.get(key) == before[key]:
                changes(key[0]).kept.append(key[1])
            else:
                changes(key[0]).altered.append(key[1])
        order = [model._meta.label_lower for model in content_models()]
        return cls({label: models[label] for label in order if label in models})

    def differs(self):
        """Return whether the load changes any row."""
        return any(
            changes.overwritten or changes.recreated or changes.altered
            for changes in self.models.values()
        )

    def lines(self, verbosity=1):
        """Return the changes as lines of text, one a model (and one a row at verbosity 2)."""
        lines = []
        for label, changes in self.models.items():
            lines.append(f"  {label}: {changes.describe()}")
            if verbosity < 2:
                continue
            for key, names in sorted(changes.overwritten.items()):
                lines.append(f"    overwritten {format_key(key)}: {', '.join(names)}")
            lines.extend(f"    re-created {format_key(key)}" for key in sorted(changes.recreated))
            lines.extend(
                f"    not in the fixtures {format_key(key)}" for key in sorted(changes.kept)
            )
        return lines
