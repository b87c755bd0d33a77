"""The case routes and the reads every module of the case tests makes of them."""

from django.utils import timezone

from casework.cases.models import Case

URL = "/api/v1/cases/"


def _detail(case) -> str:
    return f"{URL}{getattr(case, 'pk', case)}/"


def _set_support(case: Case, status: str) -> None:
    closed_at = timezone.now() if status == "closed" else None
    Case.objects.filter(pk=case.pk).update(support_status=status, closed_at=closed_at)


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def _transition(api, case, lifecycle, to, reason="Spoke to them today.", **extra):
    body = {"lifecycle": lifecycle, "to": to, "reason": reason, **extra}
    return api.post(f"{_detail(case)}transitions/", body)
