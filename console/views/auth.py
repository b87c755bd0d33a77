"""Signing in and out of the console."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from casework.core.errors import LockedOut

from .. import session
from ..forms import SignInForm, apply_service_errors
from ..pages import home_for, page_response

# A refused sign-in answers as the admin's does; a lockout as the API's.
REFUSED = 403
LOCKED = 429


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The same accounts, one-time code and lockout as the API's ``auth/login/``. The form
    keeps the username typed, never the password."""
    signed_in = session.current(request)
    if signed_in is not None and request.method == "GET":
        return HttpResponseRedirect(home_for(signed_in.user))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = session.sign_in(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
            )
        except LockedOut as error:
            form.add_error(None, str(error))
            status = LOCKED
        except ValidationError as error:
            apply_service_errors(form, error, {})
            status = REFUSED
        else:
            return HttpResponseRedirect(home_for(user))
    elif request.method == "POST":
        status = 400
    return page_response(request, "console/sign_in.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.sign_out(request, session.current(request))
    response = HttpResponseRedirect(reverse("console:sign-in"))
    # The browser forgets what it kept of the session (as the API's sign-out asks).
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
