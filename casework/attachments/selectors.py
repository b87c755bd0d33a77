"""Reading attachments, narrowed first to what the caller may see (``restrict``): the case's
staff see a case's files as they see the case; a force sees only the files shared with it on a
share it can see now, and never a retired one."""

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.core.access import visible_to
from casework.sharing.models import SharedCase

from .models import Attachment


def case_attachments(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[Attachment]":
    """The case's attachments in use (retired ones are kept but no longer listed or served)."""
    return (
        visible_to(Attachment.objects.all(), principal, action=action)
        .filter(case_id=case.pk, retired_at__isnull=True)
        .select_related("uploaded_by", "case__organisation")
    )


def share_attachments(
    *, principal: Principal, share: SharedCase, action: str = "view"
) -> "QuerySet[Attachment]":
    """The attachments shared on ``share`` (already one the caller can see), still shared."""
    return (
        visible_to(Attachment.objects.all(), principal, action=action)
        .filter(
            shares__shared_case_id=share.pk,
            shares__withdrawn_at__isnull=True,
            retired_at__isnull=True,
        )
        .select_related("case__organisation")
    )
