"""Reading disclosures and requests for records, narrowed first to what the caller may see (or
change): the charity's staff read them on their cases; a force reads its own requests, only
through a share of its own in force."""

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.core.access import visible_to
from casework.sharing.models import SharedCase

from .models import Disclosure, RecordsRequest


def disclosures(
    *, principal: Principal, case: Case, action: str = "view", with_content: bool = False
) -> "QuerySet[Disclosure]":
    """What left the charity about the case, newest first. The content is read (and decrypted)
    only for ``with_content`` (one disclosure's detail), never for a list."""
    rows = (
        visible_to(Disclosure.objects.all(), principal, action=action)
        .filter(case_id=case.pk)
        .select_related("recipient", "shared_case", "consent_decision", "sent_by")
        .defer("consent_decision__note")
    )
    return rows if with_content else rows.defer("content")


def records_requests(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[RecordsRequest]":
    """The force's requests for records on the case, with who asked, who told the client and
    who decided."""
    return (
        visible_to(RecordsRequest.objects.all(), principal, action=action)
        .filter(case_id=case.pk)
        .select_related(
            "shared_case__police_force", "requested_by", "client_notice_by", "decided_by"
        )
    )


def records_requests_on_share(
    *, principal: Principal, share: SharedCase, action: str = "view"
) -> "QuerySet[RecordsRequest]":
    """A force's requests through one share, with what was released (the package as sent)."""
    return (
        visible_to(RecordsRequest.objects.all(), principal, action=action)
        .filter(shared_case_id=share.pk)
        .select_related("disclosure")
    )
