"""A new referral, taken from a phone: through the API's referral service, once however often
the form is sent."""

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from casework.accounts.models import User
from casework.cases import selectors
from casework.cases.services.referrals import referral_create
from casework.core.errors import Conflict
from casework.core.idempotency import NotStored, StoredResponse, run_once

from .. import audit
from ..forms import ReferralForm, apply_service_errors
from ..pages import not_found, page, page_response


@page("referral_new", methods=("GET", "POST"))
def referral_new(request: HttpRequest, user: User) -> HttpResponse:
    form = ReferralForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()

            def produce() -> StoredResponse:
                try:
                    referral = referral_create(
                        organisation=user.organisation,  # type: ignore[arg-type]
                        actor=user,
                        **fields,  # type: ignore[arg-type]
                    )
                except ValidationError as error:
                    raise NotStored(error) from None
                return StoredResponse(status_code=201, body={"referral": str(referral.pk)})

            try:
                stored, _ = run_once(
                    principal=str(user.pk),
                    scope="console.referral",
                    key=str(form.cleaned_data["form_token"]),
                    payload={"path": request.path, "body": {k: str(v) for k, v in fields.items()}},
                    produce=produce,
                )
            except Conflict as error:
                form.add_error(None, str(error))
                status = 409
            except NotStored as refused:
                if isinstance(refused.answer, ValidationError):
                    apply_service_errors(form, refused.answer, {n: n for n in form.fields})
            else:
                pk = stored.body["referral"]  # type: ignore[index]
                return HttpResponseRedirect(reverse("console:referral", args=[pk]))
    return page_response(
        request, "console/referral_new.html", {"title": "New referral", "form": form}, status
    )


@page("referral")
def referral(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    found = selectors.referrals(principal=user).filter(pk=pk).first()
    if found is None:
        return not_found(request)
    audit.read(user, "referral.read", [found], target=found)
    return page_response(request, "console/referral.html", {"title": "Referral", "referral": found})
