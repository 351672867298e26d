"""The compliance officer's pages in a real browser (docs/PAGES.md): a school registers a synthetic
pupil; the compliance officer, at the same school's workstation, signs in with both factors, searches
the audit log for the writes of personal data (dates typed as ДД.ММ.ГГГГ in Chromium's Russian date
input), opens the pupil's access report from the results, which names the school's staff member as a
reader, sees the log's newest checkpoint and the open subject-access requests; no
Content-Security-Policy violation. Screenshots of the officer's home, the search and the report.
Then the vault's erasure deadlines and destruction register, and the report's PDF download."""

from __future__ import annotations

import secrets

import os
from typing import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

from conftest import sign_in, CHROMIUM, DESKTOP, TIMEOUT_MS, Platform, Screenshots, StaffMember, _add_account, _environment

PUPIL = {
    "surname": "Проверкина", "first_name": "Вера", "birth_date": "2013-05-10", "grade": "7", "class": "А",
    "guardian_surname": "Проверкина", "guardian_first_name": "Ольга", "guardian_phone": "+7 900 000-00-02",
    "consent_number": "21/2025", "consent_signed_on": "2025-09-01",
}


@pytest.fixture(scope="module")
def russian_workstation_browser(playwright: Playwright) -> Iterator[Browser]:
    """The workstation's Chromium with a Russian user interface (`--lang=ru`, `LANG=ru_RU.UTF-8`):
    a date input then shows and takes ДД.ММ.ГГГГ, as on a Russian officer's workstation. A page's
    `locale` alone (ru-RU) leaves date inputs in the browser's own language (ММ/ДД/ГГГГ)."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--lang=ru"],
        env={**os.environ, "HOME": _environment("BILET_WORKSTATION_HOME"), "LANG": "ru_RU.UTF-8", "LANGUAGE": "ru"},
    )
    yield browser
    browser.close()


# A second synthetic pupil, for the second test on the same platform (the first is registered already).
PUPIL_2 = {**PUPIL, "surname": "Образцова", "first_name": "Нина", "guardian_surname": "Образцова",
           "guardian_phone": "+7 900 000-00-03", "consent_number": "22/2025"}


def _register_pupil(platform: Platform, page: Page, pupil: dict[str, str] = PUPIL) -> str:
    page.goto(platform.workstations_url + "/app/pupils/new")
    form = page.locator("form[action='/app/pupils']")
    for name, value in pupil.items():
        form.locator(f"#{name}").fill(value)
    form.get_by_label("Кем приходится ученику *").select_option("mother")
    form.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ученик зарегистрирован", page.content()
    return page.locator("#pupil-token").inner_text()


def _signed_in_officer(platform: Platform, browser: Browser) -> Page:
    """A compliance officer of school 77-0001's workstation, signed in through the form, consent given."""
    context = browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    login = f"browser.officer.{secrets.token_hex(4)}"
    password = f"browser run {secrets.token_hex(16)}"
    _add_account(platform, login, "compliance_officer", "bilet://school/77-0001", password, region=None)
    sign_in(platform, page, login, password)
    return page


def test_the_compliance_officer_reviews_a_pupils_access(
    platform: Platform, russian_workstation_browser: Browser, signed_in_school_staff: StaffMember, screenshots: Screenshots
) -> None:
    token = _register_pupil(platform, signed_in_school_staff.page)
    school_account = signed_in_school_staff.login

    page = _signed_in_officer(platform, russian_workstation_browser)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    assert "ответственный за защиту данных" in page.locator("main").inner_text()
    screenshots.save(page, "officer-home")

    # The search form: a refused filter shows its message next to its field.
    page.get_by_role("link", name="Поиск в журнале аудита").click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/audit"
    page.get_by_label("Кто действовал").fill(school_account)
    page.get_by_role("button", name="Найти").click()
    page.wait_for_load_state()
    assert page.locator("#actor-error").inner_text() == "Укажите идентификатор вида user:usr_… или cert:… ."
    assert page.locator("#actor").get_attribute("aria-describedby") == "actor-error"

    # The writes of personal data since today, the date typed as Russians write it.
    page.get_by_label("Кто действовал").fill("")
    page.get_by_label("Тип события").fill("pii.written")
    page.get_by_label("Решение").select_option("permit")
    date_input = page.get_by_label("С даты")
    date_input.click()
    # Chromium shows a date input in the page's locale (ru-RU: ДД.ММ.ГГГГ) and sends it as YYYY-MM-DD.
    date_input.press_sequentially(_today_russian())
    assert date_input.input_value() == _today_iso(), date_input.input_value()
    page.get_by_role("button", name="Найти").click()
    page.wait_for_load_state()
    assert page.locator("h2").first.inner_text().startswith("Найдено записей: ")
    assert token in page.locator("table.entries").inner_text()
    screenshots.save(page, "officer-audit-search")

    # The pupil's access report, reached by token from the search.
    page.locator(f"table.entries a[href='/app/audit/report?subject={token}']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Отчёт о доступе к данным ученика"
    assert page.locator("#report-subject").inner_text() == token
    assert "pii.written" in page.locator("table.entries").inner_text()
    assert PUPIL["surname"] not in page.content()
    screenshots.save(page, "officer-access-report")
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible()
    page.emulate_media(media="screen")

    # The log's status and the open requests.
    page.get_by_role("link", name="Проверка журнала").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Проверка журнала аудита"
    screenshots.save(page, "officer-audit-status")
    page.get_by_role("link", name="Запросы субъектов").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Запросы субъектов на доступ"
    page.get_by_role("link", name="Уничтожение данных").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Уничтожение персональных данных"
    assert violations == [], violations



def test_the_compliance_officer_oversees_erasure_and_downloads_the_report_as_pdf(
    platform: Platform, russian_workstation_browser: Browser, signed_in_school_staff: StaffMember, screenshots: Screenshots
) -> None:
    """The vault's erasure deadlines and destruction register through the menu, and the access
    report's PDF downloaded as an attachment named by the pupil's token."""
    token = _register_pupil(platform, signed_in_school_staff.page, PUPIL_2)
    page = _signed_in_officer(platform, russian_workstation_browser)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    menu = page.locator("header nav")
    menu.get_by_role("link", name="Сроки уничтожения", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Сроки уничтожения данных"
    screenshots.save(page, "officer-erasure-deadlines")
    menu.get_by_role("link", name="Реестр уничтожения", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Реестр уничтожения данных"
    screenshots.save(page, "officer-destruction-register")

    page.goto(platform.workstations_url + f"/app/audit/report?subject={token}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать отчёт в PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"bilet-access-report-{token}.pdf", download.suggested_filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(8) == b"%PDF-1.7"
    assert violations == [], violations


def _today_iso() -> str:
    import datetime
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def _today_russian() -> str:
    year, month, day = _today_iso().split("-")
    return f"{day}{month}{year}"
