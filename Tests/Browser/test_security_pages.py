"""The security administrator's pages in a real browser (docs/PAGES.md): a security administrator at
a certified workstation signs in with both factors, sees the CA's certificate inventory, the
certificates expiring within 30 days, and revokes the development PKI's second school's workstation
certificate with a reason (a missing reason shown next to the field first); no Content-Security-Policy
violation. Screenshots of the inventory and the revocation."""

from __future__ import annotations

from playwright.sync_api import Browser

from conftest import Platform, Screenshots
from test_methodologist_pages import csp_violations, signed_in

# The development PKI's workstation of a second school (scripts' `bilet certs dev-setup`), which no
# browser test presents.
REVOKED_IDENTITY = "bilet://school/77-0002/ws/1"


def test_the_security_admin_reviews_and_revokes_a_certificate(
    platform: Platform, workstation_browser: Browser, screenshots: Screenshots
) -> None:
    page = signed_in(platform, workstation_browser, "security_admin", "security")
    violations = csp_violations(page)
    assert "администратор безопасности" in page.locator("main").inner_text()
    page.get_by_role("link", name="Реестр сертификатов").click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/certificates"
    table = page.locator("#certificates")
    assert platform.workstation_principal in table.inner_text()
    assert "корневой УЦ" in table.inner_text()
    screenshots.save(page, "security-certificates")

    page.get_by_role("link", name="Истекают в ближайшие 30 дней").click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/certificates?expiring=30"
    assert page.locator("h2").first.inner_text().startswith("Сертификатов: ")

    page.get_by_role("link", name="Все", exact=True).click()
    page.wait_for_load_state()
    row = page.locator("#certificates tbody tr", has_text=REVOKED_IDENTITY)
    assert "действует" in row.inner_text()
    row.get_by_role("link", name="Отозвать").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Отзыв сертификата"
    page.get_by_role("button", name="Отозвать сертификат").click()
    page.wait_for_load_state()
    assert page.locator("#reason-error").inner_text() == "Выберите причину отзыва."
    assert page.locator("#reason").get_attribute("aria-describedby") == "reason-error"
    page.get_by_label("Причина отзыва").select_option("cessation_of_operation")
    screenshots.save(page, "security-revoke")
    page.get_by_role("button", name="Отозвать сертификат").click()
    page.wait_for_load_state()
    assert "отозван: рабочее место выведено из эксплуатации." in page.locator("main").inner_text(), page.content()
    page.get_by_role("link", name="Вернуться к реестру").click()
    page.wait_for_load_state()
    assert "отозван" in page.locator("#certificates tbody tr", has_text=REVOKED_IDENTITY).inner_text()
    assert violations == [], violations
