from django import template

register = template.Library()


@register.filter
def model_label(obj):
    """Return what kind of thing an object is: "event", "person", "place"."""
    return obj._meta.verbose_name
