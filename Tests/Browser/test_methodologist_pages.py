"""The methodologist's page in a real browser (docs/PAGES.md): a methodologist at a certified
workstation signs in with both factors, pastes a test definition with two mistakes and sees each
next to its line, section and question, the definition kept in its field; then pastes it corrected,
uploads the draft and publishes it; no Content-Security-Policy violation. Screenshots of the tests
page with the refusals and after publishing."""

from __future__ import annotations

import json
import secrets

from playwright.sync_api import Browser, ConsoleMessage, Page

from conftest import sign_in, DESKTOP, TIMEOUT_MS, Platform, Screenshots, _add_account

# A small valid definition (docs/ASSESSMENT.md's format): two questions in one section.
DEFINITION = {
    "code": "browser-check-7", "title": "Проверка в браузере", "version": 1, "time_limit_seconds": 600, "max_attempts": 1,
    "sections": [{
        "title": "Интересы",
        "questions": [
            {"id": "q1", "kind": "single_choice", "text": "Какой кружок вы бы выбрали?",
             "options": [{"id": "a", "text": "Робототехника", "scores": {"sphere.engineering": 2}},
                         {"id": "b", "text": "Журналистика", "scores": {"sphere.media": 2}}]},
            {"id": "q2", "kind": "scale", "text": "Мне нравится работать в команде.", "scale": {"min": 1, "max": 5},
             "scores": {"soft.teamwork": 4}},
        ],
    }],
}


def signed_in(platform: Platform, browser: Browser, role: str, prefix: str) -> Page:
    """A staff member of `role` at school 77-0001's workstation, signed in through the form, consent given."""
    context = browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    login = f"browser.{prefix}.{secrets.token_hex(4)}"
    password = f"browser run {secrets.token_hex(16)}"
    _add_account(platform, login, role, "bilet://school/77-0001", password, region=None)
    sign_in(platform, page, login, password)
    return page


def csp_violations(page: Page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    return violations


def test_the_methodologist_uploads_corrects_and_publishes_a_test(
    platform: Platform, workstation_browser: Browser, screenshots: Screenshots
) -> None:
    page = signed_in(platform, workstation_browser, "methodologist", "methodologist")
    violations = csp_violations(page)
    assert "методист" in page.locator("main").inner_text()
    page.get_by_role("link", name="Загрузить определение теста и опубликовать версию").click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/tests"
    assert page.locator("h1").inner_text() == "Тесты: загрузка и публикация"

    # Two mistakes: no attempt allowed, and an unknown kind of question q2.
    bad = json.loads(json.dumps(DEFINITION))
    bad["max_attempts"] = 0
    bad["sections"][0]["questions"][1]["kind"] = "essay"
    text = json.dumps(bad, ensure_ascii=False, indent=2)
    q2_line = next(number for number, line in enumerate(text.split("\n"), start=1) if '"id": "q2"' in line)
    page.get_by_label("Определение теста (JSON)").fill(text)
    page.get_by_role("button", name="Загрузить черновик").click()
    page.wait_for_load_state()
    issues = page.locator("#definition-issues tbody tr")
    assert issues.count() == 2, page.content()
    q2 = page.locator("#definition-issues tbody tr", has_text="Неизвестный тип вопроса.")
    assert q2.locator("td").nth(0).inner_text() == str(q2_line)
    assert q2.locator("td").nth(2).inner_text() == "q2"
    assert "Число попыток: от 1 до 10." in page.locator("#definition-issues").inner_text()
    assert page.locator("#definition").get_attribute("aria-describedby") == "definition-error"
    assert '"max_attempts": 0' in page.locator("#definition").input_value()
    screenshots.save(page, "methodologist-refused")

    # Corrected: a draft, then published.
    page.get_by_label("Определение теста (JSON)").fill(json.dumps(DEFINITION, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Загрузить черновик").click()
    page.wait_for_load_state()
    assert "Загружен черновик browser-check-7, версия 1." in page.locator("main").inner_text()
    row = page.locator("#test-versions tbody tr", has_text="browser-check-7")
    assert "черновик" in row.inner_text()
    row.get_by_role("button", name="Опубликовать").click()
    page.wait_for_load_state()
    assert "Опубликована версия 1 теста browser-check-7" in page.locator("main").inner_text()
    assert "опубликована" in page.locator("#test-versions tbody tr", has_text="browser-check-7").inner_text()
    screenshots.save(page, "methodologist-tests")
    assert violations == [], violations
