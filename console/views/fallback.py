"""Any other address under /app/."""

from django.http import HttpRequest, HttpResponse

from casework.accounts.models import User

from ..pages import not_found, page


@page("unknown", methods=("GET", "HEAD", "POST"))
def unknown(request: HttpRequest, user: User) -> HttpResponse:
    """Signed in or not, the same as a page the caller may not open: ``permissions.pages``
    names no page "unknown", so this always answers 404 once the caller is signed in."""
    return not_found(request)
