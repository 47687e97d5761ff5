from django import template

from timeline.citations import strip_markers

register = template.Library()


@register.filter
def model_label(obj):
    """Return what kind of thing an object is: "event", "person", "place"."""
    return obj._meta.verbose_name


@register.filter(name="strip_markers")
def strip_markers_filter(text):
    """Return text without its [^key] citation markers, for previews and lists."""
    return strip_markers(text)
