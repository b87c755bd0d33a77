"""The printable quarterly return: the same figures as the JSON, withheld alike, as an HTML page
with the funnel and the months drawn as SVG on the server, loading nothing from anywhere else;
and the page rendered in headless Chromium under the real content security policy, looked at as
a picture (``test-artifacts/stats-return.png``)."""

import base64
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from casework.audit.models import AuditEvent
from casework.stats import charts

from ..conftest import client_for
from ..factories import SupervisorFactory, UserFactory
from .test_stats import (
    STATS,
    first_quarter,  # noqa: F401 (fixture)
    force_shares,  # noqa: F401 (fixture)
    lower_threshold,
    move,
    opened,
)

pytestmark = pytest.mark.django_db

RETURN = {"period": "2025-Q1", "format": "html"}
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
IMAGE = re.compile(r'<img src="(data:image/svg\+xml;base64,[^"]+)"')


def svgs(html: str) -> list[str]:
    return [base64.b64decode(uri.split(",", 1)[1]).decode() for uri in IMAGE.findall(html)]


@pytest.mark.usefixtures("first_quarter")
def test_the_return_is_the_json_figures_withheld_alike(as_supervisor, charity):
    response = as_supervisor.get(STATS, RETURN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "Quarterly return: 2025 quarter 1" in html
    assert charity.name in html
    # January 6, February 3 (withheld, and January with it), March 7; the total 16.
    assert re.search(r"January 2025</th><td class=\"n\">withheld", html)
    assert re.search(r"February 2025</th><td class=\"n\">withheld", html)
    assert re.search(r"March 2025</th><td class=\"n\">7<", html)
    assert re.search(r"Total</th><td class=\"n\">16<", html)
    assert ">6<" not in html and ">3<" not in html
    event = AuditEvent.objects.get(action="stats.read")
    assert event.detail["format"] == "html"


@pytest.mark.usefixtures("first_quarter")
def test_the_page_and_its_charts_refer_to_nothing_outside(as_supervisor):
    html = as_supervisor.get(STATS, RETURN).content.decode()
    assert "<script" not in html and "<style" not in html and "style=" not in html
    assert re.findall(r'(?:href|src)="(?!data:)([^"]*)"', html) == ["/static/stats/return.css"]
    assert '<link rel="icon" href="data:,">' in html  # no request for a favicon
    drawn = svgs(html)
    assert len(drawn) == 2
    for svg in drawn:
        assert svg.startswith("<svg")
        assert "<script" not in svg and "<text" not in svg  # glyphs as paths: no font
        assert "<metadata" not in svg and "<!--" not in svg
        assert all(ref.startswith("#") for ref in re.findall(r'href="([^"]*)"', svg))
        assert set(re.findall(r"https?://[^\"' )]+", svg)) <= {
            "http://www.w3.org/2000/svg",
            "http://www.w3.org/1999/xlink",
        }


def test_a_label_cannot_become_markup_or_mathtext():
    assert charts.svg_safe("Cases --> <script>$x^2$</script>") == "Cases -- scriptx2/script"


def test_the_same_figures_draw_the_same_chart():
    cells = [{"key": "reported", "count": 9, "suppressed": False}]
    assert charts.funnel_svg(cells) == charts.funnel_svg(cells)


@pytest.mark.usefixtures("force_shares")
def test_a_force_gets_its_shares_by_month_and_nothing_of_the_charitys(as_police):
    html = as_police.get(STATS, {"period": "2025-Q2", "format": "html"}).content.decode()
    assert "Shares started by month" in html
    assert "Attrition" not in html and "Median" not in html
    assert len(svgs(html)) == 1
    assert re.search(r"May 2025</th><td class=\"n\">7<", html)


def test_the_return_is_by_month_and_its_refusals_are_json(as_supervisor, as_caseworker):
    by_offence = as_supervisor.get(STATS, {**RETURN, "group_by": "offence_type"})
    assert by_offence.status_code == 400
    assert by_offence.json()["fields"]["group_by"]
    refused = as_caseworker.get(STATS, RETURN)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")
    by_accept = as_supervisor.get(STATS, {"period": "2025-Q1"}, HTTP_ACCEPT="text/html")
    assert by_accept["Content-Type"].startswith("text/html")


# --- in a real browser --------------------------------------------------------------------


def _chrome(token: str):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            "Chromium is not installed (/usr/bin/chromium and /usr/bin/chromedriver): "
            "apt-get install chromium chromium-driver, or run ./scripts/test as root"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1000,2600",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Token {token}"}}
    )
    return driver


def _network(driver) -> tuple[list[str], list[dict]]:
    """Every URL the page asked for, and every response's headers."""
    requested, responses = [], []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.responseReceived":
            responses.append(message["params"]["response"])
    return requested, responses


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_return_in_headless_chromium_loads_nothing_outside_and_breaks_no_policy(
    live_server, caseworker, settings
):
    lower_threshold(settings, 5)
    for day, count in ((date(2025, 1, 10), 9), (date(2025, 2, 10), 3), (date(2025, 3, 10), 12)):
        for index in range(count):
            case = opened(caseworker, day)
            if index < 8:
                move(case, day, "reported", "under_investigation")
            if index < 6:
                move(case, day, "charged")
    UserFactory(organisation=caseworker.organisation)
    supervisor = SupervisorFactory(organisation=caseworker.organisation)
    token = client_for(supervisor)._credentials["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    driver = _chrome(token)
    try:
        driver.get(f"{live_server.url}{STATS}?period=2025-Q1&format=html")
        assert driver.title == "Quarterly return: 2025 quarter 1"
        loaded = driver.execute_script(
            "return Array.from(document.querySelectorAll('.chart img'))"
            ".map(i => [i.complete, i.naturalWidth, i.naturalHeight]);"
        )
        styled = driver.execute_script(
            "return getComputedStyle(document.querySelector('table')).borderCollapse;"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "stats-return.png"))
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.save_screenshot(str(ARTIFACTS / "stats-return-print.png"))
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
        (ARTIFACTS / "stats-return.pdf").write_bytes(base64.b64decode(pdf["data"]))
        console = driver.get_log("browser")
        requested, responses = _network(driver)
    finally:
        driver.quit()

    # Both charts decoded, at the size matplotlib drew them (7 inches wide: 672 CSS pixels).
    assert [(complete, width) for complete, width, _height in loaded] == [(True, 672)] * 2
    assert all(height > 200 for _complete, _width, height in loaded), loaded
    assert styled == "collapse"  # the stylesheet from this origin applied
    assert requested, "the performance log recorded no request"
    outside = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert outside == []
    page = next(r for r in responses if "format=html" in r["url"])
    headers = {name.lower(): value for name, value in page["headers"].items()}
    assert "default-src 'none'" in headers["content-security-policy"]
    violations = [
        entry["message"]
        for entry in console
        if "Content Security Policy" in entry["message"] or entry["level"] == "SEVERE"
    ]
    assert violations == []
    assert (ARTIFACTS / "stats-return.png").stat().st_size > 10_000
    assert (ARTIFACTS / "stats-return.pdf").read_bytes().startswith(b"%PDF")
