"""Every console page: the strict content security policy with no inline script or style, a
CSRF token in every form, a quick-exit control, nothing cached, nothing loaded from another
host, no client identity in the title, and under 100 KB."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from ..api.police_sharing.world import LEGAL_NAME, PSEUDONYM, open_case
from ..factories import PoliceLiaisonFactory, SharedCaseFactory, SupervisorFactory
from .world import Console, console_for

pytestmark = pytest.mark.django_db

MAX_BYTES = 100 * 1024


@pytest.fixture
def pages(caseworker, police_force):
    share = SharedCaseFactory(case=open_case(caseworker), police_force=police_force)
    case = share.case
    worker = console_for(caseworker)
    supervisor = console_for(SupervisorFactory(organisation=caseworker.organisation))
    police = console_for(PoliceLiaisonFactory(organisation=police_force))
    return {
        "sign-in": Console().get("/app/sign-in/"),
        "caseload": worker.get("/app/caseload/"),
        "case": worker.get(f"/app/cases/{case.pk}/"),
        "identity": worker.submit(f"/app/cases/{case.pk}/identity/"),
        "log-contact": worker.get(f"/app/cases/{case.pk}/contacts/new/"),
        "refused contact": worker.submit(f"/app/cases/{case.pk}/contacts/new/", {}),
        "new referral": worker.get("/app/referrals/new/"),
        "two-factor": worker.get("/app/two-factor/"),
        "refused referral": worker.submit("/app/referrals/new/", {"summary": ""}),
        "team": supervisor.get("/app/team/"),
        "escalated": supervisor.get("/app/escalated/"),
        "shared-cases": police.get("/app/shared/"),
        "shared-case": police.get(f"/app/shared/{share.pk}/"),
        "not found": police.get(f"/app/cases/{case.pk}/"),
    }


def test_every_page_is_safe_to_open_on_a_shared_screen(pages):
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code in (200, 400, 404), name
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, name
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, name
        for script in re.findall(r"<script[^>]*>", html):
            assert 'src="/static/' in script, (name, script)
        assert "<style" not in html and " style=" not in html, name
        assert re.search(r" on[a-z]+=", html) is None, name
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S):
            assert 'name="csrfmiddlewaretoken"' in form, name
        assert 'id="quick-exit"' in html, name
        assert response["Cache-Control"] == "no-store", name
        assert len(response.content) < MAX_BYTES, name
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert PSEUDONYM not in title and LEGAL_NAME not in title, name
        addresses = re.findall(r'(?:src|href|action)="([^"]*)"', html)
        outside = {a for a in addresses if re.match(r"[a-z]+:", a)}
        assert outside == {settings.CONSOLE_QUICK_EXIT_URL}, name


def test_the_quick_exit_script_replaces_the_history_entry_and_listens_for_escape():
    script = Path(finders.find("console/quick-exit.js")).read_text()
    assert "location.replace(" in script
    assert "history.replaceState(" in script
    assert '"Escape"' in script
