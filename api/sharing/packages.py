"""The package a force gets when it reads one of its shares, as bytes: what the API serves and
what the domain keeps as a disclosure are written by this one function, so they cannot differ
(the setting ``CASEWORK_SHARE_PACKAGE`` names it to the domain)."""

from typing import Any

from casework.sharing.models import SharedCase

from ..renderers import OrjsonRenderer
from .serializers import SharedCaseDetail


def render_package(data: Any) -> bytes:
    """``data`` as the API's renderer writes a response body."""
    return OrjsonRenderer().render(data)


def shared_case_package(share: SharedCase) -> bytes:
    return render_package(SharedCaseDetail(share).data)
