"""A police liaison officer's pages: the cases shared with their force, one shared case exactly
as the API gives it, and an update posted back."""

import json
import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from casework.accounts.models import User
from casework.audit.reads import ShareRef, record_police_read
from casework.core.errors import Conflict
from casework.core.idempotency import NotStored, StoredResponse, run_once
from casework.disclosures.services import share_package, share_view_disclosed
from casework.sharing import selectors, services
from casework.sharing.models import SharedCase
from permissions.querysets import CHANGE

from ..forms import SharedUpdateForm, apply_service_errors
from ..pages import not_found, page, page_response, paged


@page("shared_cases")
def shared_cases(request: HttpRequest, user: User) -> HttpResponse:
    shares = selectors.shared_case_rows(principal=user).order_by("-started_at", "-id")
    rows, pages = paged(request, lambda offset, limit: shares[offset : offset + limit])
    if rows:
        record_police_read(
            actor=user,
            action="shared_case.list",
            shares=[
                ShareRef(
                    row["id"],
                    row["share_reference"],
                    row["case_id"],
                    row["case__client_id"],
                    row["case__organisation_id"],
                    row["police_force_id"],
                )
                for row in rows
            ],
        )
    return page_response(
        request, "console/shared_cases.html", {"title": "Shared cases", "rows": rows, **pages}
    )


def _share(user: User, pk: uuid.UUID, action: str = "view") -> SharedCase | None:
    found: SharedCase | None = (
        selectors.shared_cases(principal=user, action=action).filter(pk=pk).first()
    )
    return found


@page("shared_case")
def shared_case(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    """The share as the API's ``shared-cases/{id}/`` gives it: the same bytes (the domain asks
    the API's writer for them), kept as a disclosure before they are shown, and the read audited
    in the owning charity's chain."""
    share = _share(user, pk)
    if share is None:
        return not_found(request)
    content = share_package(share)
    seen = share_view_disclosed(share=share, actor=user, content=content)
    record_police_read(
        actor=user,
        action="shared_case.read",
        shares=[share],
        detail={"disclosure": str(seen.pk), "disclosure_version": seen.version},
    )
    updates = list(
        selectors.shared_updates(principal=user, share=share).order_by("-created_at")[:50]
    )
    record_police_read(
        actor=user, action="shared_case.updates.read", shares=[share], records=updates
    )
    return page_response(
        request,
        "console/shared_case.html",
        {
            "title": "Shared case",
            "share": share,
            "package": json.loads(content),
            "updates": updates,
            "form": SharedUpdateForm(),
        },
    )


@page("shared_update", methods=("POST",))
def shared_update(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    share = _share(user, pk, action=CHANGE)
    if share is None:
        return not_found(request)
    form = SharedUpdateForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data

        def produce() -> StoredResponse:
            try:
                update = services.police_update_post(
                    shared_case=share, author=user, kind=data["kind"], body=data["body"]
                )
            except ValidationError as error:
                raise NotStored(error) from None
            return StoredResponse(status_code=201, body={"update": str(update.pk)})

        try:
            run_once(
                principal=str(user.pk),
                scope="console.shared_update",
                key=str(data["form_token"]),
                payload={"path": request.path, "kind": data["kind"], "body": data["body"]},
                produce=produce,
            )
        except Conflict as error:
            form.add_error(None, str(error))
            status = 409
        except NotStored as refused:
            apply_service_errors(form, refused.answer, {"kind": "kind", "body": "body"})  # type: ignore[arg-type]
        else:
            return HttpResponseRedirect(reverse("console:shared-case", args=[share.pk]))
    return page_response(
        request,
        "console/shared_update.html",
        {"title": "Post an update", "share": share, "form": form},
        status=status,
    )
