"""A case as a caseworker works it: pseudonym first, the identity only on an explicit and
audited request, the contact routes, the consent ledger, what police see, the timeline, and a
contact logged in a few taps."""

import json
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import User
from casework.cases import selectors as case_selectors
from casework.cases import timeline
from casework.cases.models import Case
from casework.cases.services.contacts import contact_log
from casework.clients import selectors as client_selectors
from casework.clients.choices import CURRENT_STATUSES
from casework.clients.models import ContactMethod
from casework.core.errors import Conflict
from casework.core.idempotency import NotStored, StoredResponse, run_once
from casework.disclosures.services import share_package
from casework.sharing import selectors as sharing_selectors
from casework.sharing.choices import ShareStatus

from .. import audit
from ..forms import ContactLogForm, apply_service_errors
from ..pages import not_found, page, page_response

TIMELINE_ITEMS = 30


def _case(user: User, pk: uuid.UUID) -> Case | None:
    return case_selectors.case(principal=user, pk=pk)


def _routes(user: User, case: Case) -> list[ContactMethod]:
    """The client's current routes, preferred first."""
    return list(
        client_selectors.contact_methods(principal=user, client=case.client)
        .filter(status__in=CURRENT_STATUSES)
        .order_by("-preferred", "-last_success_at", "created_at")
    )


def _case_context(user: User, case: Case) -> dict[str, Any]:
    """Everything the case page shows, each kind of record audited as the API audits it."""
    audit.read(
        user, "case.read", [case], case_ids=[case.pk], client_ids=[case.client_id], target=case
    )
    routes = list(
        client_selectors.contact_methods(principal=user, client=case.client).order_by(
            "-preferred", "status", "created_at"
        )
    )
    audit.read(user, "contact_method.list", routes, client_ids=[case.client_id])
    ledger = sharing_selectors.consent_ledger(principal=user, case=case)
    audit.read(
        user,
        "consent.read",
        [d.public_id for d in ledger["history"]],
        case_ids=[case.pk],
        client_ids=[case.client_id],
    )
    items, more = timeline.timeline_page(case, limit=TIMELINE_ITEMS, cursor=None)
    audit.read(
        user,
        "case.timeline.read",
        [f"{item.kind}:{item.id}" for item in items],
        case_ids=[case.pk],
        client_ids=[case.client_id],
    )
    shares = [
        {"share": share, "package": json.loads(share_package(share))}
        for share in sharing_selectors.shares(principal=user)
        .filter(case_id=case.pk, status=ShareStatus.ACTIVE)
        .select_related("police_force")
        .order_by("started_at")
    ]
    return {
        "case": case,
        "routes": routes,
        "ledger": ledger,
        "timeline": items,
        "timeline_more": more,
        "shares": shares,
    }


@page("case")
def case_page(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    case = _case(user, pk)
    if case is None:
        return not_found(request)
    return page_response(
        request, "console/case.html", {"title": "Case", **_case_context(user, case)}
    )


@page("identity", methods=("POST",))
def identity(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    """The client's identity, shown on an explicit request (a POST, never a link a browser
    could prefetch or keep in its history) and audited as the API's read of the client is."""
    case = _case(user, pk)
    if case is None:
        return not_found(request)
    client = client_selectors.clients(principal=user).filter(pk=case.client_id).first()
    if client is None:
        return not_found(request)
    audit.read(user, "client.read", [client], client_ids=[client.pk], target=client)
    context = {"case": case, "client": client}
    if request.htmx:  # type: ignore[attr-defined]
        return page_response(request, "console/_identity.html", context)
    return page_response(request, "console/identity.html", {"title": "Identity", **context})


@page("contact_log", methods=("GET", "POST"))
def log_contact(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    """Route, outcome, note: through the API's own service (``contact_log``), which marks the
    route verified, failing or dead. The form's token makes a second send of it a replay, not a
    second entry; a route that changed since the form was shown is refused with what it is now."""
    case = _case(user, pk)
    if case is None:
        return not_found(request)
    routes = _routes(user, case)
    form = ContactLogForm(request.POST or None, routes=routes)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                _log(request, user, case, form)
            except Conflict as error:
                form.add_error(None, str(error))
                status = 409
            except NotStored as refused:
                answer = refused.answer
                status = 409 if isinstance(answer, Conflict) else 400
                if isinstance(answer, ValidationError):
                    apply_service_errors(
                        form,
                        answer,
                        {"contact_method": "route", "outcome": "outcome", "note": "note"},
                    )
                else:
                    form.add_error("route", str(answer))
            else:
                return HttpResponseRedirect(reverse("console:case", args=[case.pk]) + "#timeline")
    return page_response(
        request,
        "console/log_contact.html",
        {"title": "Log a contact", "case": case, "form": form, "routes": routes},
        status=status,
    )


class RouteChanged(Exception):
    def __init__(self, route: ContactMethod) -> None:
        super().__init__(
            f"This route changed since the form was opened: it is now "
            f"{route.get_status_display().lower()}. Check it and send again."
        )


def _log(request: HttpRequest, user: User, case: Case, form: ContactLogForm) -> None:
    route = form.chosen_route()
    data = form.cleaned_data

    def produce() -> StoredResponse:
        if route is not None:
            current = (
                client_selectors.contact_methods(principal=user, client=case.client)
                .filter(pk=route.pk)
                .first()
            )
            if current is None or current.version != data.get("route_version"):
                raise NotStored(RouteChanged(current or route))
        try:
            entry = contact_log(
                case=case,
                recorded_by=user,
                occurred_at=timezone.now(),
                channel=form.channel_for(route),
                direction=data["direction"],
                outcome=data["outcome"],
                contact_method=route,
                note=data["note"] or None,
            )
        except ValidationError as error:
            raise NotStored(error) from None
        return StoredResponse(status_code=201, body={"entry": str(entry.pk)})

    run_once(
        principal=str(user.pk),
        scope="console.contact_log",
        key=str(data["form_token"]),
        payload={
            "path": request.path,
            "body": {k: str(v) for k, v in sorted(data.items())},
        },
        produce=produce,
    )
