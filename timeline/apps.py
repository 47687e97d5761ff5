from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
            pre_save,
        )

        from timeline.cache import content_changed
        from timeline.models import Event, Period
        from timeline.models.base import (
            forget_search_index,
            refresh_derived_fields,
            refresh_search_index,
            refresh_search_index_of_links,
        )
        from timeline.models.tree import refresh_tree_paths
        from timeline.roles import sync_roles_after_migrate

        # pre_save and post_save also run for loaddata's raw saves, which skip
        # Model.save(), so derived columns (date bounds, folded search text, tree
        # paths) are right either way.
        pre_save.connect(refresh_derived_fields, dispatch_uid="timeline-derived-fields")
        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="timeline-roles")
        post_save.connect(refresh_tree_paths, dispatch_uid="timeline-tree-paths")
        post_save.connect(renumber_periods, sender=Period, dispatch_uid="timeline-renumber")
        post_delete.connect(renumber_periods, sender=Period, dispatch_uid="timeline-renumber")
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_changed, dispatch_uid="timeline-content-changed")
        # The full-text index (an FTS5 table or a tsvector column) follows every save,
        # raw ones included, and the links whose names an event's entry indexes.
        post_save.connect(refresh_search_index, dispatch_uid="timeline-search-index")
        post_delete.connect(forget_search_index, dispatch_uid="timeline-search-forget")
        m2m_changed.connect(
            refresh_search_index_of_links,
            sender=Event.places.through,
            dispatch_uid="timeline-search-links",
        )


def renumber_periods(sender, **kwargs):
    """Keep the periods' positions, and their events' copies, in step with every change."""
    sender.objects.renumber()
