from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from django.db.models.signals import pre_save

        from timeline.models.base import refresh_derived_fields

        # pre_save also runs for loaddata's raw saves, which skip Model.save(), so
        # derived columns (date bounds, folded search text) are right either way.
        pre_save.connect(refresh_derived_fields, dispatch_uid="timeline-derived-fields")
