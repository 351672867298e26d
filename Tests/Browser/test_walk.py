"""Issue 14's done-when walk through the pages only, in a real browser (docs/PAGES.md, README's "In
the browser"): the methodologist publishes a test; the school, at its workstation, registers a pupil
through the form (the consent covering the pupil's own account, tests and recommendations), assigns the navigator and
issues the activation code; the navigator assigns the test; the pupil, on a phone on the pupils'
listener, activates the account, signs in and takes the test; the compliance officer opens the
pupil's access report and finds the school's, the navigator's and the testing's accesses. All in
Russian, with no Content-Security-Policy violation. No JSON API call: the four staff accounts are made
with `bilet accounts add`, the operator's command line, because no page can make them ready to sign in
(the coordinator's page creates a school's first account only, which is then activated through the
API, and no page creates a navigator's, an officer's or a methodologist's). Screenshots of each step."""

from __future__ import annotations

import json
import os
import secrets
import subprocess

from playwright.sync_api import Browser, ConsoleMessage, Page

from conftest import sign_in, _PLATFORM_VARIABLES, DESKTOP, PHONE, TIMEOUT_MS, Platform, Screenshots

SCHOOL = "bilet://school/77-0001"
PUPIL = {
    "surname": "Маршрутова", "first_name": "Ксения", "birth_date": "2012-10-15", "grade": "8", "class": "В",
    "guardian_surname": "Маршрутова", "guardian_first_name": "Ольга", "guardian_phone": "+7 900 000-00-09",
    "consent_number": "", "consent_signed_on": "2025-09-01",
}


def _test_definition(code: str) -> dict:
    """A two-question test (docs/ASSESSMENT.md's format) with a code of this run's own."""
    return {
        "code": code, "title": "Маршрут в профессию", "version": 1, "time_limit_seconds": 1800, "max_attempts": 1,
        "sections": [{"title": "Интересы", "questions": [
            {"id": "q1", "kind": "single_choice", "text": "Что вам интереснее?", "options": [
                {"id": "a", "text": "Собирать роботов", "scores": {"sphere.engineering": 2}},
                {"id": "b", "text": "Писать программы", "scores": {"sphere.it": 3}}]},
            {"id": "q2", "kind": "scale", "text": "Мне нравится объяснять другим.", "scale": {"min": 1, "max": 5},
             "scores": {"soft.communication": 4}},
        ]}],
    }


def _add_account(platform: Platform, role: str, prefix: str, region: str | None) -> tuple[str, str, str]:
    """A synthetic staff account of school 77-0001 made with `bilet accounts add` (no page makes
    one ready to sign in): (login, password, actor `user:usr_…`)."""
    login = f"walk.{prefix}.{secrets.token_hex(3)}"
    password = f"walk run {secrets.token_hex(16)}"
    added = subprocess.run(
        [str(platform.bilet), "accounts", "add", "--login", login, "--role", role, "--organisation", SCHOOL,
         *(["--region", region] if region else []), "--password-stdin"],
        input=password + "\n", text=True, capture_output=True,
        env={name: value for name, value in os.environ.items() if not name.startswith("BILET_") or name in _PLATFORM_VARIABLES},
    )
    assert added.returncode == 0, added.stdout + added.stderr
    return login, password, added.stdout.split("(")[1].split(")")[0]


def _desktop(browser: Browser, violations: list[str]) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    return page


def test_the_done_when_walk_through_the_pages_only(
    platform: Platform, workstation_browser: Browser, bare_browser: Browser, screenshots: Screenshots
) -> None:
    violations: list[str] = []
    methodologist = _add_account(platform, "methodologist", "method", None)
    school = _add_account(platform, "school", "school", "77")
    navigator = _add_account(platform, "navigator", "nav", "77")
    officer = _add_account(platform, "compliance_officer", "officer", None)
    code = f"walk-{secrets.token_hex(3)}"

    # The methodologist publishes a test.
    page = _desktop(workstation_browser, violations)
    sign_in(platform, page, *methodologist[:2])
    page.get_by_role("link", name="Загрузить определение теста и опубликовать версию").click()
    page.wait_for_load_state()
    page.get_by_label("Определение теста (JSON)").fill(json.dumps(_test_definition(code), ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Загрузить черновик").click()
    page.wait_for_load_state()
    assert f"Загружен черновик {code}, версия 1." in page.locator("main").inner_text()
    page.locator("#test-versions tbody tr", has_text=code).get_by_role("button", name="Опубликовать").click()
    page.wait_for_load_state()
    assert f"Опубликована версия 1 теста {code}" in page.locator("main").inner_text()
    screenshots.save(page, "walk-1-methodologist-published")
    page.context.close()

    # The school registers the pupil through the form, the consent covering the pupil's account and tests.
    page = _desktop(workstation_browser, violations)
    sign_in(platform, page, *school[:2])
    page.get_by_role("link", name="Зарегистрировать ученика").first.click()
    page.wait_for_load_state()
    form = page.locator("form[action='/app/pupils']")
    for name, value in {**PUPIL, "consent_number": f"{secrets.token_hex(3)}/2025"}.items():
        form.locator(f"#{name}").fill(value)
    form.get_by_label("Кем приходится ученику *").select_option("mother")
    form.get_by_label("Личный кабинет ученика").check()
    form.get_by_label("Тестирование").check()
    form.get_by_label("Рекомендации").check()
    screenshots.save(page, "walk-2-school-registers")
    form.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ученик зарегистрирован", page.content()
    pupil = page.locator("#pupil-token").inner_text()
    assert pupil.startswith("sub_")

    # ... assigns the navigator and issues the activation code on the pupil's page.
    page.get_by_role("link", name="приложить на странице согласий ученика").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Согласия и навигаторы ученика"
    page.get_by_label("Назначить навигатора").select_option(label=navigator[0])
    page.get_by_role("button", name="Назначить", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Навигатор назначен."
    assert navigator[0] in page.locator("main table").nth(1).inner_text()
    page.get_by_role("button", name="Выдать код активации").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Код активации ученика"
    activation_code = page.locator("#activation-code").inner_text()
    assert activation_code and activation_code not in page.url
    screenshots.save(page, "walk-3-school-activation-code")
    page.context.close()

    # The navigator assigns the published test.
    page = _desktop(workstation_browser, violations)
    sign_in(platform, page, *navigator[:2])
    assert "педагог-навигатор" in page.locator("main").inner_text()
    page.get_by_role("link", name="Назначить тест ученикам").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Назначение тестов ученикам"
    assert "Маршрутова Ксения" in page.locator("table").inner_text()
    page.get_by_label("Ученик").select_option(pupil)
    page.get_by_label("Тест").select_option(f"{code}@1")
    page.get_by_role("button", name="Назначить тест").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == f"Тест «Маршрут в профессию» назначен ученику {pupil}."
    screenshots.save(page, "walk-4-navigator-assigned")
    page.context.close()

    # The pupil, on a phone without a certificate, activates the account and takes the test.
    context = bare_browser.new_context(viewport=PHONE, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    login, password = f"ksenia.{secrets.token_hex(3)}", f"walk pupil {secrets.token_hex(8)}"
    page.goto(platform.pupils_url + "/app/pupil/sign-in")
    page.get_by_role("link", name="Активируйте учётную запись").click()
    page.wait_for_load_state()
    page.get_by_label("Код активации").fill(activation_code)
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль", exact=True).fill(password)
    page.get_by_label("Пароль ещё раз").fill(password)
    page.get_by_role("button", name="Активировать").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Учётная запись активирована.")
    page.get_by_role("link", name="Войти").click()
    page.wait_for_load_state()
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()
    assert page.url == platform.pupils_url + "/app/pupil/home", page.url
    page.get_by_role("link", name="Мои тесты и результаты").click()
    page.wait_for_load_state()
    assert "Маршрут в профессию" in page.locator("main").inner_text()
    page.get_by_role("button", name="Начать или продолжить").click()
    page.wait_for_load_state()
    page.get_by_label("Писать программы").check()
    page.get_by_role("button", name="Сохранить и дальше").click()
    page.wait_for_load_state()
    page.get_by_label("4").check()
    page.get_by_role("button", name="Сохранить ответ").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Завершить тест").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Тест завершён, результат сохранён."
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshots.save(page, "walk-5-pupil-results")
    context.close()

    # The compliance officer opens the pupil's access report: the school's write, the navigator's
    # reads and the assignment, each under its actor.
    page = _desktop(workstation_browser, violations)
    sign_in(platform, page, *officer[:2])
    page.get_by_role("link", name="Отчёт о доступе к данным ученика").click()
    page.wait_for_load_state()
    page.locator("#subject").fill(pupil)
    page.get_by_role("button", name="Составить отчёт").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Отчёт о доступе к данным ученика"
    assert page.locator("#report-subject").inner_text() == pupil
    entries = page.locator("table.entries").inner_text()
    for expected in ("pii.written", "pii.read", "token.resolved", "assessment.assigned", school[2], navigator[2]):
        assert expected in entries, (expected, entries)
    assert PUPIL["surname"] not in page.content()
    screenshots.save(page, "walk-6-officer-access-report")
    page.context.close()
    assert violations == [], violations
