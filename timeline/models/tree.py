"""Things that lie inside things: periods inside periods, places inside places.

Each node stores the ids from its root down to itself (``tree_path``, "/3/12/"),
so "this node and everything inside it" is one indexed prefix match on any
database, and a filter, a page and a count all ask the same question.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Subquery

from timeline.models.base import SlugQuerySet

SEPARATOR = "/"


class TreeQuerySet(SlugQuerySet):
    def path_of(self, node):
        """Return the stored path of a node, a slug's node (as a subquery), or an expression."""
        if isinstance(node, models.Model):
            return node.tree_path
        if isinstance(node, str):
            slug = self.model._default_manager.filter(slug=node).order_by()
            return Subquery(slug.values("tree_path")[:1])
        return node

    def within(self, node):
        """Return the node (an object, a slug or a path expression) and all nodes inside it."""
        return self.filter(tree_path__startswith=self.path_of(node))

    def indented_choices(self, label_field):
        """Return (slug, label) pairs, each node followed by the nodes inside it, indented."""
        children = {}
        for slug, label, parent in self.values_list("slug", label_field, "parent__slug"):
            children.setdefault(parent, []).append((slug, label))
        ordered = []

        def walk(parent, depth):
            for slug, label in children.get(parent, []):
                ordered.append((slug, "\u2003" * depth + label))
                walk(slug, depth + 1)

        walk(None, 0)
        return ordered

    def top_level(self):
        return self.filter(parent__isnull=True)

    def rebuild_paths(self):
        """Recompute every stored path from the parent links: one read, bulk writes.

        For rows written without save(), such as bulk inserts.
        """
        parents = dict(self.model._default_manager.values_list("pk", "parent_id"))
        paths = {}

        def path(pk):
            if pk not in paths:
                chain, node = [], pk
                while node is not None and node not in chain:
                    chain.append(node)
                    node = parents.get(node)
                paths[pk] = SEPARATOR + "".join(f"{n}{SEPARATOR}" for n in reversed(chain))
            return paths[pk]

        nodes = list(self.model._default_manager.only("pk", "tree_path"))
        changed = [node for node in nodes if node.tree_path != path(node.pk)]
        for node in changed:
            node.tree_path = paths[node.pk]
        self.model._default_manager.bulk_update(changed, ["tree_path"], batch_size=500)
        return len(changed)


class TreeModel(models.Model):
    """A node that may lie inside another node of its own kind, never inside itself."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The larger one this lies inside: a sub-period's period, a district's city.",
    )
    # Made of primary keys, so it is left out of dumps and backups (serialize=False):
    # a load gives rows new keys and recomputes every path.
    tree_path = models.CharField(
        max_length=255,
        editable=False,
        blank=True,
        db_index=True,
        serialize=False,
        help_text="The ids from the top of the tree down to this one.",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="%(class)s_not_inside_itself"
            ),
        ]

    def ancestors(self):
        """Return the nodes this one lies inside, nearest first, stopping at a cycle."""
        found, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            found.append(node)
            seen.add(node.pk)
            node = node.parent
        if node is not None:
            found.append(node)
        return found

    def clean(self):
        super().clean()
        if self.parent_id is not None and self.pk is not None:
            if any(node.pk == self.pk for node in self.ancestors()):
                name = self._meta.verbose_name
                raise ValidationError(
                    {"parent": f"A {name} cannot lie inside itself or inside a {name} within it."}
                )

    def expected_path(self):
        """Return the path from the stored paths of this node's ancestors."""
        parts = [str(node.pk) for node in reversed(self.ancestors()) if node.pk != self.pk]
        return SEPARATOR + "".join(f"{part}{SEPARATOR}" for part in [*parts, str(self.pk)])

    def refresh_tree_path(self):
        """Store this node's path and, when it changed, the paths of the nodes inside it."""
        path = self.expected_path()
        if path == self.tree_path:
            return
        type(self)._default_manager.filter(pk=self.pk).update(tree_path=path)
        self.tree_path = path
        for child in type(self)._default_manager.filter(parent=self.pk):
            child.refresh_tree_path()


def refresh_tree_paths(sender, instance, **kwargs):
    """Keep stored paths right after every save, fixture loads included."""
    if isinstance(instance, TreeModel):
        instance.refresh_tree_path()
