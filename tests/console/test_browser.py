"""The console in a real browser: Debian's headless Chromium driven by Selenium against a live
server. Sign-in with a one-time code, logging contacts, revealing an identity (audited), a police
officer seeing a share and losing it after withdrawal, quick exit, an accessibility check with
axe-core in the same browser, and no request to any other host. Screenshots of the main screens
at phone and desktop widths go to var/browser-artifacts/.

Skipped, saying why, where Chromium, ChromeDriver or axe-core are missing (scripts/test installs
all three)."""

import json
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from casework.accounts.models import AuthenticatorDevice
from casework.audit.models import AuditEvent
from casework.cases.models import ContactLogEntry
from casework.clients.models import ContactMethod
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.models import Reminder
from casework.sharing.services import consent_record

from ..api.police_sharing.world import LEGAL_NAME, PSEUDONYM, open_case
from ..api.sign_in.world import code, enrol
from ..conftest import client_for
from ..factories import PASSWORD, PoliceLiaisonFactory, SharedCaseFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(settings.BASE_DIR) / "var" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "browser-artifacts"
PHONE = (360, 800)
DESKTOP = (1280, 900)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Chromium and ChromeDriver are not installed (apt-get install chromium "
        "chromium-driver; scripts/test installs them)",
    ),
    pytest.mark.skipif(
        not AXE.exists(),
        reason="axe-core is not installed (python scripts/install_assets.py; scripts/test runs it)",
    ),
]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    )
    driver.set_window_size(*DESKTOP)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def site(live_server, settings):
    # A neutral page of the test server stands in for the neutral site, so the test run makes
    # no request to any other host.
    settings.CONSOLE_QUICK_EXIT_URL = f"{live_server.url}/healthz"
    return live_server.url


def requests_made(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def assert_no_outside_request(driver, site: str) -> None:
    outside = [u for u in requests_made(driver) if not u.startswith((site, "data:"))]
    assert outside == []


def sign_in(driver, site: str, username: str, otp: str = "") -> None:
    driver.get(f"{site}/app/sign-in/")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    if otp:
        driver.find_element(By.ID, "id_otp").send_keys(otp)
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()


def shoot(driver, name: str) -> None:
    """Screenshots of the page at phone and desktop widths; at the phone's, nothing is wider
    than the screen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        driver.set_window_size(*size)
        if label == "phone":
            assert_fits_a_phone(driver)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(size[0], max(size[1], min(height + 140, 4000)))
        driver.save_screenshot(str(ARTIFACTS / f"console-{name}-{label}.png"))
    driver.set_window_size(*DESKTOP)


def axe_violations(driver) -> list[dict]:
    """Serious and critical violations of WCAG 2.2 A and AA on the page, as axe-core reports."""
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
                "wcag21aa", "wcag22aa"]}})
           .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                 nodes: v.nodes.map(n => n.target.join(" "))}))))
           .catch(e => done([{id: "axe-error", impact: "critical", nodes: [String(e)]}]));
        """
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def wait_for_path(driver, path: str) -> None:
    WebDriverWait(driver, 10).until(
        lambda d: d.current_url.split("#")[0].endswith(path),
        message=f"still at {driver.current_url}: {driver.page_source[-1500:]}",
    )


@pytest.mark.django_db(transaction=True)
def test_a_caseworkers_round_signing_in_with_a_code(browser, site, caseworker):
    case = open_case(caseworker)
    device, _ = enrol(client_for(caseworker), caseworker)
    # The code that confirmed the app cannot sign in again: wait for the app's next one.
    time.sleep(30 - time.time() % 30 + 1)
    sign_in(browser, site, caseworker.username, otp=code(device))
    wait_for_path(browser, "/app/caseload/")
    assert PSEUDONYM in browser.page_source
    assert axe_violations(browser) == []
    shoot(browser, "caseload")

    browser.find_element(By.PARTIAL_LINK_TEXT, PSEUDONYM).click()
    wait_for_path(browser, f"/app/cases/{case.pk}/")
    assert LEGAL_NAME not in browser.page_source
    assert PSEUDONYM not in browser.title
    assert axe_violations(browser) == []
    shoot(browser, "case")

    # Identity: an explicit request, swapped into the page by htmx, audited.
    browser.find_element(By.XPATH, "//button[normalize-space()='Show identity']").click()
    WebDriverWait(browser, 10).until(lambda d: LEGAL_NAME in d.page_source)
    assert browser.current_url.split("#")[0].endswith(f"/app/cases/{case.pk}/")
    assert AuditEvent.objects.filter(action="client.read", actor_id=caseworker.pk).count() == 1

    route = ContactMethod.objects.get(client=case.client, preferred=True)
    for outcome, status in (("Number unavailable", "failing"), ("Reached", "verified")):
        browser.find_element(By.LINK_TEXT, "Log a contact").click()
        wait_for_path(browser, f"/app/cases/{case.pk}/contacts/new/")
        if outcome == "Number unavailable":
            assert axe_violations(browser) == []
            shoot(browser, "log-contact")
        browser.find_element(By.XPATH, f"//label[normalize-space()='{outcome}']").click()
        browser.find_element(By.ID, "id_note").send_keys(f"{outcome} at 10am")
        browser.find_element(By.XPATH, "//button[normalize-space()='Log contact']").click()
        wait_for_path(browser, f"/app/cases/{case.pk}/")
        route.refresh_from_db()
        assert route.status == status
        # The case page shows the route's new status.
        assert status.capitalize() in browser.find_element(By.CSS_SELECTOR, ".route .status").text
    assert ContactLogEntry.objects.filter(case=case, recorded_by=caseworker).count() == 3

    browser.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
    wait_for_path(browser, "/app/sign-in/")
    browser.get(f"{site}/app/caseload/")
    wait_for_path(browser, "/app/sign-in/")
    assert_no_outside_request(browser, site)


def assert_fits_a_phone(driver) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"{driver.current_url} is {width} px wide"


@pytest.mark.django_db(transaction=True)
def test_a_new_caseworkers_first_minute_on_a_phone(browser, site, caseworker):
    """Sign in, find today's reminders, log a failed call and a successful one, see the route's
    status change each time, mark the reminder done, sign out: all at 360 px wide."""
    case = open_case(caseworker)
    reminder = Reminder.objects.create(
        kind=ReminderKind.NO_RECENT_CONTACT,
        dedup_key="browser:phone",
        organisation=caseworker.organisation,
        case=case,
        assignee=caseworker,
        due_at=timezone.now() - timedelta(hours=2),
    )
    browser.set_window_size(*PHONE)
    sign_in(browser, site, caseworker.username)
    wait_for_path(browser, "/app/caseload/")
    assert_fits_a_phone(browser)
    unreachable = browser.find_element(By.CSS_SELECTOR, "[aria-labelledby=unreachable-heading]")
    assert "No successful contact recently" in unreachable.text
    unreachable.find_element(By.LINK_TEXT, case.reference).click()
    wait_for_path(browser, f"/app/cases/{case.pk}/")
    assert_fits_a_phone(browser)

    def preferred_route_text() -> str:
        return browser.find_element(By.CSS_SELECTOR, ".route").text

    assert "Verified" in preferred_route_text()
    for outcome, shown in (("Number unavailable", "Failing"), ("Reached", "Verified")):
        browser.find_element(By.LINK_TEXT, "Log a contact").click()
        wait_for_path(browser, f"/app/cases/{case.pk}/contacts/new/")
        assert_fits_a_phone(browser)
        browser.find_element(By.XPATH, f"//label[normalize-space()='{outcome}']").click()
        browser.find_element(By.XPATH, "//button[normalize-space()='Log contact']").click()
        wait_for_path(browser, f"/app/cases/{case.pk}/")
        assert shown in preferred_route_text()
        assert ("1 failed in a row" in preferred_route_text()) is (shown == "Failing")

    browser.find_element(By.LINK_TEXT, "My caseload").click()
    wait_for_path(browser, "/app/caseload/")
    browser.find_element(By.XPATH, "//button[normalize-space()='Done']").click()
    wait_for_path(browser, "/app/caseload/")
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
    assert "Every client has been reached recently." in browser.page_source

    browser.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
    wait_for_path(browser, "/app/sign-in/")
    assert_no_outside_request(browser, site)


@pytest.mark.django_db(transaction=True)
def test_quick_exit_leaves_at_once_and_takes_the_page_out_of_history(browser, site, caseworker):
    case = open_case(caseworker)
    sign_in(browser, site, caseworker.username)
    wait_for_path(browser, "/app/caseload/")
    browser.get(f"{site}/app/cases/{case.pk}/")
    length = browser.execute_script("return history.length")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait_for_path(browser, "/healthz")
    assert browser.execute_script("return history.length") == length
    browser.back()
    WebDriverWait(browser, 10).until(lambda d: not d.current_url.endswith("/healthz"))
    assert f"/app/cases/{case.pk}/" not in browser.current_url

    # The button does the same.
    browser.get(f"{site}/app/cases/{case.pk}/")
    browser.find_element(By.ID, "quick-exit").click()
    wait_for_path(browser, "/healthz")
    assert_no_outside_request(browser, site)


@pytest.mark.django_db(transaction=True)
def test_a_police_officer_sees_a_share_and_loses_it_after_withdrawal(
    browser, site, caseworker, police_force
):
    share = SharedCaseFactory(case=open_case(caseworker), police_force=police_force)
    officer = PoliceLiaisonFactory(organisation=police_force)
    sign_in(browser, site, officer.username)
    wait_for_path(browser, "/app/shared/")
    assert share.share_reference in browser.page_source
    browser.find_element(By.LINK_TEXT, share.share_reference).click()
    wait_for_path(browser, f"/app/shared/{share.pk}/")
    assert axe_violations(browser) == []
    shoot(browser, "shared-case")

    consent_record(
        case=share.case,
        recorded_by=caseworker,
        scope="share_with_police",
        granted=False,
        method="verbal",
        police_force=police_force,
    )
    browser.refresh()
    assert "Page not found" in browser.page_source
    browser.get(f"{site}/app/shared/")
    assert share.share_reference not in browser.page_source
    browser.get(f"{site}/app/cases/{share.case_id}/")
    assert "Page not found" in browser.page_source
    assert_no_outside_request(browser, site)


@pytest.mark.skipif(
    shutil.which("zbarimg") is None,
    reason="zbar is not installed (apt-get install zbar-tools; scripts/test installs it)",
)
@pytest.mark.django_db(transaction=True)
def test_the_two_factor_page_shows_a_qr_code_the_app_can_scan(browser, site, caseworker):
    caseworker.organisation.require_two_factor = True
    caseworker.organisation.save()
    sign_in(browser, site, caseworker.username)
    # Signed in, and held at the page that asks for two-factor sign-in first.
    wait_for_path(browser, "/app/caseload/")
    browser.get(f"{site}/app/two-factor/")
    wait_for_path(browser, "/app/two-factor/")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.XPATH, "//button[normalize-space()='Continue']").click()
    qr = browser.find_element(By.CSS_SELECTOR, "img.qr")
    # Drawn under the strict content security policy, from the page itself.
    assert browser.execute_script("return arguments[0].naturalWidth", qr) > 0
    device = AuthenticatorDevice.objects.get(user=caseworker, confirmed=False)
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "open it in the authenticator app")
    assert link.get_attribute("href") == device.config_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    picture = ARTIFACTS / "console-two-factor-qr.png"
    qr.screenshot(str(picture))
    read = subprocess.run(  # noqa: S603
        ["zbarimg", "--raw", "-q", str(picture)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == device.config_url
    assert axe_violations(browser) == []
    shoot(browser, "two-factor")
    assert_no_outside_request(browser, site)


@pytest.mark.django_db(transaction=True)
def test_the_sign_in_page_passes_the_accessibility_check(browser, site):
    browser.get(f"{site}/app/sign-in/")
    assert axe_violations(browser) == []
    shoot(browser, "sign-in")
