"""The workstation's client certificate in a real browser: Chromium presents it from its NSS database,
selected by the AutoSelectCertificateForUrls policy, and the gateway turns it into the school's
principal; a browser without it is refused at the TLS handshake."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Error, Page

from conftest import Platform, Screenshots, StaffMember


def test_whoami_shows_the_school_principal_of_the_workstation_certificate(
    platform: Platform, workstation_page: Page, screenshots: Screenshots
) -> None:
    answer = workstation_page.goto(platform.workstations_url + "/v1/whoami")
    assert answer is not None
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    # What the browser shows is what the gateway took from the handshake the browser made.
    body = json.loads(workstation_page.locator("body").inner_text())
    assert body["principal"] == platform.workstation_principal
    assert body["principal"].startswith("bilet://school/77-0001/ws/")
    assert body["kind"] == "device"
    assert body["organisation"] == {"kind": "school", "id": "77-0001"}
    assert body["listener"] == "workstations"
    assert body["tls"]["protocol"] == "TLS1.3"
    screenshots.save(workstation_page, "whoami")


# What Chromium reports when the gateway refuses its handshake for want of a client certificate: the
# fatal alert's error. After the alert the gateway sends nothing more and drains what the browser sends
# until it closes (500 ms at most), so no TCP reset can overtake the alert (when it closed at once, 4 or 5 of 30
# navigations ended in ERR_SOCKET_NOT_CONNECTED or ERR_CONNECTION_RESET instead). docs/BROWSER-TESTS.md,
# "The refusal's error".
ALERT_ERROR = "net::ERR_BAD_SSL_CLIENT_AUTH_CERT"
ATTEMPTS = 10


def test_a_browser_without_the_certificate_is_refused_on_the_workstations_listener(
    platform: Platform, bare_page: Page, screenshots: Screenshots
) -> None:
    url = platform.workstations_url + "/v1/whoami"
    errors = []
    for _ in range(ATTEMPTS):
        refusals_before = platform.gateway_refusals("no-certificate", "workstations")
        with pytest.raises(Error) as refusal:
            bare_page.goto(url)
        first_line = refusal.value.message.splitlines()[0]
        error = first_line.removeprefix("Page.goto: ").removesuffix(f" at {url}")
        assert first_line == f"Page.goto: {error} at {url}"
        errors.append(error)
        # Each time, the gateway's client verification refused it, for want of a certificate.
        assert platform.gateway_refusals("no-certificate", "workstations") > refusals_before, errors
    # Every time the alert itself reached the browser: the error page says the site did not accept
    # the login certificate.
    assert errors == [ALERT_ERROR] * ATTEMPTS, errors
    assert "ERR_BAD_SSL_CLIENT_AUTH_CERT" in bare_page.locator("body").inner_text()
    screenshots.save(bare_page, "refused")


def test_the_signed_in_school_staff_fixture_reaches_a_page(
    signed_in_school_staff: StaffMember, screenshots: Screenshots
) -> None:
    assert signed_in_school_staff.page.locator("h1").count() >= 1
    screenshots.save(signed_in_school_staff.page, "school-staff-main")
