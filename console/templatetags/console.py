"""Small filters for showing the API's shapes (a shared case's package, a timeline item) as
readable text."""

import re
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


_CODE = re.compile(r"[a-z]+(_[a-z]+)*")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@register.filter
def readable(value: Any) -> str:
    """A timeline value as a person reads it: a code (``phone_call``) as words, a record's id
    left out (the page names what matters of it)."""
    text = str(value)
    if _UUID.fullmatch(text):
        return ""
    if _CODE.fullmatch(text) and "_" in text:
        return label(text)
    return text


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """This page's address at page ``number``, keeping its other query parameters (a filter)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"
