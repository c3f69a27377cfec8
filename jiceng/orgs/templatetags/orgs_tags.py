from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """{{ dict|get:key }}: look up a key the template language cannot spell."""
    return mapping.get(key) if mapping else None
