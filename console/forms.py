"""The console's forms: shape and bounds of what is typed. The rules are the services'; their
refusals come back beside the fields they name."""

import uuid
from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from casework.accounts.models import User
from casework.cases.choices import (
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    ReferralSource,
    Urgency,
)
from casework.clients.choices import ContactKind
from casework.clients.models import ContactMethod
from casework.sharing.choices import PoliceUpdateKind

# The channel a contact on each kind of route usually goes by, so logging one takes a tap less.
CHANNEL_OF_ROUTE: dict[str, str] = {
    ContactKind.MOBILE: ContactChannel.PHONE_CALL,
    ContactKind.LANDLINE: ContactChannel.PHONE_CALL,
    ContactKind.EMAIL: ContactChannel.EMAIL,
    ContactKind.POSTAL_ADDRESS: ContactChannel.LETTER,
    ContactKind.THIRD_PARTY: ContactChannel.VIA_THIRD_PARTY,
    ContactKind.OUTREACH_LOCATION: ContactChannel.OUTREACH,
}
NO_ROUTE = "none"


class SignInForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label="Code from your authenticator app (if you use one)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def apply_service_errors(form: forms.Form, error: ValidationError, fields: dict[str, str]) -> None:
    """Puts a service's refusal beside the field it names (``fields`` maps the service's names
    to the form's); anything else goes at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            field = fields.get(name)
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ContactLogForm(forms.Form):
    """Route, outcome and an optional note: a contact logged in a few taps from a phone."""

    route = forms.ChoiceField(label="Route", widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        help_text="Reached or met in person marks the route verified; number unavailable, "
        "wrong person or email bounced marks it failing (dead after repeats). No answer, "
        "message left and other leave the route as it is.",
    )
    direction = forms.ChoiceField(
        label="Who made contact",
        choices=ContactDirection.choices,
        initial=ContactDirection.OUTBOUND,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label="How (leave as it is for the route's usual way)",
        choices=[("", "The route's usual way"), *ContactChannel.choices],
        required=False,
    )
    note = forms.CharField(
        label="Note", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The route's version when the form was shown: a route changed since is refused.
    route_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # One per form shown: sending it twice logs the contact once.
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, routes: list[ContactMethod], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.routes = {str(route.pk): route for route in routes}
        cast(forms.ChoiceField, self.fields["route"]).choices = [
            *((str(route.pk), route_label(route)) for route in routes),
            (NO_ROUTE, "No route (met in person or at outreach)"),
        ]
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())
            preferred = next((r for r in routes if r.preferred), routes[0] if routes else None)
            if preferred is not None:
                self.initial.setdefault("route", str(preferred.pk))
                self.initial.setdefault("route_version", preferred.version)

    def chosen_route(self) -> ContactMethod | None:
        return self.routes.get(self.cleaned_data["route"])

    def channel_for(self, route: ContactMethod | None) -> str:
        if self.cleaned_data.get("channel"):
            return str(self.cleaned_data["channel"])
        if route is None:
            return str(ContactChannel.IN_PERSON)
        return CHANNEL_OF_ROUTE.get(route.kind, ContactChannel.OTHER)


def route_label(route: ContactMethod) -> str:
    return f"{route.get_kind_display()} ({route.get_status_display().lower()})"


class TeamFilterForm(forms.Form):
    """Whose open cases the team caseload shows: everyone's, or one person's."""

    person = forms.ChoiceField(label="Whose cases", required=False)

    def __init__(self, *args: object, people: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.people = {str(person.pk): person for person in people}
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            ("", "Everyone in the team"),
            *(
                (pk, person.get_full_name() or person.username)
                for pk, person in self.people.items()
            ),
        ]

    def clean_person(self) -> User | None:
        chosen = self.cleaned_data.get("person")
        return self.people.get(chosen) if chosen else None


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label="Why", max_length=500)


class SharedUpdateForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of update", choices=PoliceUpdateKind.choices)
    body = forms.CharField(label="Update", max_length=10000, widget=forms.Textarea)
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())


class ReferralForm(forms.Form):
    """A referral as it arrives, and how to reach the person safely, if at all."""

    source = forms.ChoiceField(label="How it came", choices=ReferralSource.choices)
    urgency = forms.ChoiceField(label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE)
    summary = forms.CharField(
        label="What happened", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    person_pseudonym = forms.CharField(
        label="What they want to be called (optional)", max_length=100, required=False
    )
    contact_kind = forms.ChoiceField(
        label="A safe way to reach them (optional)",
        choices=[("", "None given"), *ContactKind.choices],
        required=False,
    )
    contact_value = forms.CharField(label="Number or address", max_length=500, required=False)
    contact_safe_to_call = forms.BooleanField(label="Safe to call", required=False)
    contact_safe_to_text = forms.BooleanField(label="Safe to text", required=False)
    contact_safe_to_voicemail = forms.BooleanField(
        label="Safe to leave a voicemail", required=False
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())

    def service_fields(self) -> dict[str, object]:
        """What the referral service takes: blanks left out, so the model's defaults stand."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "form_token"}
        return {k: v for k, v in data.items() if v not in ("", None)}
