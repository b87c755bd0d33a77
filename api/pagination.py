"""Cursor pagination everywhere: stable under inserts, and no COUNT over the whole list."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Views name their order with ``cursor_ordering``; its first field should be unique or nearly
    so, and indexed, since the cursor seeks on it."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"

    def get_ordering(self, request, queryset, view):
        requested = request.query_params.get("ordering")
        allowed = getattr(view, "ordering_fields", None)
        if requested and allowed:
            if requested.lstrip("-") not in allowed:
                from rest_framework.exceptions import ValidationError

                choices = ", ".join(f"{f}, -{f}" for f in allowed)
                raise ValidationError({"ordering": [f"Order by one of: {choices}."]})
            # The id breaks ties, so a cursor never skips or repeats rows with equal values.
            return (requested, "-id" if requested.startswith("-") else "id")
        ordering = getattr(view, "cursor_ordering", None)
        if ordering:
            return (ordering,) if isinstance(ordering, str) else tuple(ordering)
        return super().get_ordering(request, queryset, view)


def whole_number(request, name: str, *, default: int, least: int, most: int) -> int:
    """A whole-number query parameter within bounds (``default`` when absent), or a 400 naming
    it: a page number, a page size."""
    given = request.query_params.get(name)
    if given is None:
        return default
    # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
    if not given.isdecimal() or not least <= int(given) <= most:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({name: [f"Use a whole number from {least} to {most}."]})
    return int(given)


def paginated(request, queryset, ordering: tuple[str, ...], serializer):
    """A cursor page of a queryset that is not the view's own (a sub-list in an action)."""
    paginator = CursorPagination()
    paginator.ordering = ordering  # type: ignore[assignment]  # DRF takes a tuple too
    page = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(serializer(page, many=True).data)


_PAGES: dict = {}


def page_of(serializer_class):
    """The schema of a cursor page of ``serializer_class`` (for actions paginated by hand)."""
    from rest_framework import serializers

    if serializer_class not in _PAGES:
        name = serializer_class.__name__.removesuffix("Output")
        _PAGES[serializer_class] = type(
            f"Paginated{name}List",
            (serializers.Serializer,),
            {
                "next": serializers.URLField(allow_null=True, read_only=True),
                "previous": serializers.URLField(allow_null=True, read_only=True),
                "results": serializer_class(many=True, read_only=True),
            },
        )
    return _PAGES[serializer_class]
