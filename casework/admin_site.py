"""The Django admin, open to platform superusers only, and only with a verified second factor.

Staff with ``is_staff`` but not ``is_superuser`` cannot use it: supervisors manage their
organisation through the API, where the permission rules apply. A superuser signs in with a
password and a current code from their authenticator (or a recovery code); one who has no
authenticator yet is signed in for one page only, the enrolment, and reaches nothing else until
a first code confirms it (django-otp keeps the verified device in the session)."""

from typing import Any, cast

import django_otp
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from casework.accounts.models import User
from casework.accounts.services import two_factor
from casework.audit.services import audit_record
from casework.core.errors import Conflict, LockedOut

REFUSED_SIGN_IN = 403


class AdminLoginForm(AdminAuthenticationForm):
    """The password, then the code: a wrong or missing code is refused exactly as a wrong
    password is, counts towards the lockout (django-axes) and is recorded."""

    otp_token = forms.CharField(
        label="Code from your authenticator app (or a recovery code)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self) -> dict[str, Any]:
        try:
            cleaned = super().clean()
        except ValidationError:
            self._record_failure("password_or_account", known=False)
            raise
        user = self.get_user()
        if user is not None and two_factor.enabled(user):
            device = two_factor.verified_device(user, self.cleaned_data.get("otp_token") or "")
            if device is None:
                self._record_failure("one_time_code", known=True)
                raise self.get_invalid_login_error()
            user.otp_device = device  # type: ignore[attr-defined]  # django-otp marks the session verified at login
        return cleaned

    def _record_failure(self, reason: str, *, known: bool) -> None:
        if known:
            # A wrong password was already counted by authenticate(); a wrong code is not.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
        user = self.user_cache
        detail = {"reason": reason, "channel": "admin"}
        if user is not None:
            audit_record(actor=user, action="auth.login_failed", target=user, detail=detail)
        else:
            audit_record(actor="anonymous", action="auth.login_failed", detail=detail)


class EnrolmentForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, max_length=4096, widget=forms.PasswordInput
    )


class ConfirmationForm(forms.Form):
    code = forms.CharField(
        label="The code your authenticator app shows",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Casework administration"
    site_title = "Casework"
    login_form = AdminLoginForm
    login_template = "admin/casework/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_superuser and getattr(user, "is_verified", lambda: False)()
        )

    @staticmethod
    def needs_enrolment(request: HttpRequest) -> bool:
        """A superuser signed in with a password who has no second factor to verify yet."""
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and user.is_superuser
            and not getattr(user, "is_verified", lambda: False)()
            and not two_factor.enabled(user)  # type: ignore[arg-type]
        )

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "GET" and self.needs_enrolment(request):
            return HttpResponseRedirect(reverse("admin:two_factor_enrol", current_app=self.name))
        response = super().login(request, extra_context)
        if request.method == "POST" and self.needs_enrolment(request):
            return HttpResponseRedirect(reverse("admin:two_factor_enrol", current_app=self.name))
        if request.method == "POST" and response.status_code == 200:
            # The form came back with its errors: the sign-in was refused.
            response.status_code = REFUSED_SIGN_IN
        return response

    def logout(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        response = super().logout(request, extra_context)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    def get_urls(self) -> list:
        return [
            path("two-factor/", self.two_factor_enrol_view, name="two_factor_enrol"),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def two_factor_enrol_view(self, request: HttpRequest) -> HttpResponse:
        """Sets up an authenticator for a superuser who has none: the password again, then a
        first code; the session is verified with it and the recovery codes are shown once."""
        if not self.needs_enrolment(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        user = cast(User, request.user)
        context: dict[str, Any] = {
            **self.each_context(request),
            "title": "Set up two-factor sign-in",
            "form": EnrolmentForm(),
        }
        status = 200
        if request.method == "POST" and "code" in request.POST:
            form: forms.Form = ConfirmationForm(request.POST)
            if form.is_valid():
                try:
                    codes = two_factor.two_factor_confirm(user=user, code=form.cleaned_data["code"])
                except (ValidationError, Conflict) as error:
                    form.add_error("code", _message(error))
                else:
                    django_otp.login(request, two_factor.confirmed_device(user))
                    request.session.cycle_key()
                    context.update(form=None, recovery_codes=codes)
                    return TemplateResponse(request, "admin/casework/two_factor.html", context)
            context.update(form=form, pending=two_factor.pending_device(user))
            status = 400
        elif request.method == "POST":
            form = EnrolmentForm(request.POST)
            if form.is_valid():
                try:
                    device = two_factor.two_factor_enrol(
                        user=user, password=form.cleaned_data["password"], request=request
                    )
                except LockedOut as error:
                    form.add_error(None, str(error))
                except (ValidationError, Conflict) as error:
                    form.add_error("password", _message(error))
                else:
                    context.update(form=ConfirmationForm(), pending=device)
                    return TemplateResponse(request, "admin/casework/two_factor.html", context)
            context.update(form=form)
            status = 400
        return TemplateResponse(request, "admin/casework/two_factor.html", context, status=status)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
