"""What every console page does before its own work: find the person behind the session, ask
``permissions.pages`` whether they may open the page, and answer 404, the same page as for one
that does not exist, where they may not."""

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casework.accounts import principals
from permissions.pages import enrolment_pending, may_open

from . import session

View = Callable[..., HttpResponse]


def nav(request: HttpRequest) -> dict[str, Any]:
    """What the frame of every page shows: who is signed in and the pages they may open."""
    user = getattr(request, "console_user", None)
    links = [
        ("caseload", "My caseload", "console:caseload"),
        ("referral_new", "New referral", "console:referral-new"),
        ("team", "Team caseload", "console:team"),
        ("escalated", "Escalated to me", "console:escalated"),
        ("staff", "Staff", "console:staff"),
        ("shared_cases", "Shared cases", "console:shared-cases"),
    ]
    return {
        "me": user,
        "nav": [(label, reverse(name)) for page, label, name in links if may_open(page, user)],
        "quick_exit_url": settings.CONSOLE_QUICK_EXIT_URL,
    }


def page_response(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(request, template, {**nav(request), **(context or {})}, status=status)


def not_found(request: HttpRequest) -> HttpResponse:
    return page_response(request, "console/not_found.html", status=404)


def page(
    name: str, *, methods: tuple[str, ...] = ("GET",), during_enrolment: bool = False
) -> Callable[[View], View]:
    """Opens a view to those ``permissions.pages`` lets open page ``name``; anyone not signed in
    goes to the sign-in page. Someone whose organisation requires two-factor sign-in and who has
    not set it up reaches only the pages marked ``during_enrolment``."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @require_http_methods(list(methods))
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            signed_in = session.current(request)
            if signed_in is None:
                return HttpResponseRedirect(reverse("console:sign-in"))
            request.console_user = signed_in.user  # type: ignore[attr-defined]
            request.console_token = signed_in.token  # type: ignore[attr-defined]
            if not during_enrolment and enrolment_pending(signed_in.user):
                return page_response(request, "console/enrol.html", status=403)
            if not may_open(name, signed_in.user, during_enrolment=during_enrolment):
                return not_found(request)
            return view(request, signed_in.user, *args, **kwargs)

        return wrapper

    return decorate


# Rows on a page of a list; the next page holds the next ones.
PAGE_SIZE = 50
MAX_PAGE = 100_000
T = TypeVar("T")


def paged(
    request: HttpRequest, fetch: Callable[[int, int], Iterable[T]], size: int | None = None
) -> tuple[list[T], dict[str, Any]]:
    """The rows of the page ``?page=N`` asks for (from 1; past ``MAX_PAGE``, that page; anything
    else, the first): ``fetch(offset, limit)`` reads them, one more than a page to know whether
    another follows.
    Returns the rows and what ``_pages.html`` needs to link the pages before and after."""
    size = size or PAGE_SIZE
    given = request.GET.get("page", "1")
    # Bounded, as the API's page numbers are: an address typed with a huge number is not an
    # offset the database refuses.
    number = min(int(given), MAX_PAGE) if given.isdecimal() and int(given) >= 1 else 1
    rows = list(fetch((number - 1) * size, size + 1))
    return rows[:size], {
        "first_rank": (number - 1) * size + 1,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if len(rows) > size else None,
    }


def home_for(user: Any) -> str:
    """Where a person starts: police their shared cases, charity staff their caseload."""
    if principals.is_police_liaison(user):
        return reverse("console:shared-cases")
    return reverse("console:caseload")
