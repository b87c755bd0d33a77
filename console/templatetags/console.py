"""Small filters for showing the API's shapes (a shared case's package, a timeline item) as
readable text."""

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


@register.filter
def is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


@register.filter
def label(name: str) -> str:
    """``legal_name`` as "Legal name"."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]
