"""Setting up two-factor sign-in from the console, through the API's own services: the password
again, then a first code from the authenticator app. Open while an organisation requires it and
the person has not set it up yet, as the API's two-factor endpoints are."""

import base64
from typing import Any

import segno
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from casework.accounts.models import User
from casework.accounts.services import two_factor
from casework.core.errors import Conflict, LockedOut

from .. import session
from ..forms import apply_service_errors
from ..pages import page, page_response


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="The code your authenticator app shows",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _secret(device: object) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")  # type: ignore[attr-defined]


def _key(device: Any) -> dict[str, str]:
    """The new key three ways: typed in, scanned from the page's QR code (drawn here, as an SVG
    image in the page itself: nothing is fetched from elsewhere), or opened by a link in an
    authenticator app on the same phone."""
    uri = device.config_url
    qr = segno.make(uri, error="m")
    return {
        "secret": _secret(device),
        "otpauth_uri": uri,
        "otpauth_qr": qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"),
        "otpauth_qr_size": str(qr.symbol_size(scale=5, border=4)[0]),
    }


@page("two_factor", methods=("GET", "POST"), during_enrolment=True)
def set_up(request: HttpRequest, user: User) -> HttpResponse:
    context: dict[str, object] = {"title": "Two-factor sign-in"}
    status = 200
    if two_factor.enabled(user):
        return page_response(request, "console/two_factor.html", {**context, "enabled": True})
    if request.method == "POST" and "code" in request.POST:
        form: forms.Form = CodeForm(request.POST)
        if form.is_valid():
            try:
                codes = two_factor.two_factor_confirm(user=user, code=form.cleaned_data["code"])
            except (ValidationError, Conflict) as error:
                _refusal(form, error, "code")
            else:
                # Confirming ends every session of the person, this one too: the recovery codes
                # are shown once, then the person signs in again with a code.
                session.sign_out(request, None)
                return page_response(
                    request, "console/two_factor.html", {**context, "recovery_codes": codes}
                )
        device = two_factor.pending_device(user)
        context |= {"code_form": form, **(_key(device) if device else {})}
        return page_response(request, "console/two_factor.html", context, status=400)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.two_factor_enrol(
                user=user, password=form.cleaned_data["password"], request=request
            )
        except LockedOut as error:
            form.add_error(None, str(error))
            status = 429
        except (ValidationError, Conflict) as error:
            _refusal(form, error, "password")
            status = 400
        else:
            context |= {"code_form": CodeForm(), **_key(device)}
            return page_response(request, "console/two_factor.html", context)
    elif request.method == "POST":
        status = 400
    return page_response(
        request, "console/two_factor.html", {**context, "password_form": form}, status=status
    )


def _refusal(form: forms.Form, error: Exception, field: str) -> None:
    if isinstance(error, ValidationError):
        apply_service_errors(form, error, {field: field, "password": field, "code": field})
    else:
        form.add_error(None, str(error))
