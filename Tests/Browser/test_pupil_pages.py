"""The pupils' pages in a real browser at phone size (390×844), on the pupils' listener without any
client certificate (docs/PAGES.md): a synthetic pupil activates the account with the school's code,
signs in, takes a test (every answer saved as it is given), and sees who has accessed their data,
under the pages' Content-Security-Policy with no violation. The school's side (registering the
pupil, the navigator, the test, the activation code) is set up through the JSON API with the
development certificates, as the serve tests do."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import ssl
import subprocess
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page

from conftest import _PLATFORM_VARIABLES, PHONE, Platform, Screenshots

# A two-question test in the assessment module's definition format (docs/ASSESSMENT.md).
TEST = {
    "code": "browser-pupil-test", "title": "Интересы", "version": 1, "time_limit_seconds": 1800, "max_attempts": 1,
    "sections": [{"title": "Что вам нравится", "questions": [
        {"id": "q1", "kind": "single_choice", "text": "Какой кружок вы бы выбрали?", "options": [
            {"id": "a", "text": "Робототехника", "scores": {"sphere.engineering": 2}},
            {"id": "b", "text": "Программирование", "scores": {"sphere.it": 3}}]},
        {"id": "q2", "kind": "scale", "text": "Мне нравится работать в команде.", "scale": {"min": 1, "max": 5},
         "scores": {"soft.teamwork": 4}},
    ]}],
}
PASSWORD = f"browser pupil {secrets.token_hex(8)}"


class Desk:
    """The JSON API over TLS with a development client certificate (or none, on the pupils' listener)."""

    def __init__(self, platform: Platform) -> None:
        self.certs = Path(os.environ["BILET_CONFIG"]).parent / "certs"
        self.platform = platform

    def call(self, url: str, method: str, path: str, client: str | None = None, token: str | None = None,
             body: dict | None = None) -> tuple[int, dict]:
        context = ssl.create_default_context(cafile=str(self.certs / "gateway" / "ca-bundle.pem"))
        if client:
            context.load_cert_chain(str(self.certs / "clients" / f"{client}.pem"), str(self.certs / "clients" / f"{client}.key"))
        host, port = url.removeprefix("https://").split(":")
        connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=15)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode()
        connection.close()
        return answer.status, (json.loads(text) if text.startswith("{") else {})

    def staff(self, login: str, role: str, organisation: str, client: str, region: str | None = "77") -> tuple[str, str]:
        """Adds a synthetic staff account, signs it in with `client`'s certificate and gives the staff
        consent: (session token, account id)."""
        password = f"browser run {secrets.token_hex(16)}"
        arguments = [str(self.platform.bilet), "accounts", "add", "--login", login, "--role", role,
                     "--organisation", organisation, "--password-stdin"] + (["--region", region] if region else [])
        added = subprocess.run(arguments, input=password + "\n", text=True, capture_output=True,
                               env={name: value for name, value in os.environ.items()
                                    if not name.startswith("BILET_") or name in _PLATFORM_VARIABLES})
        assert added.returncode == 0, added.stdout + added.stderr
        account = added.stdout.split("(user:")[1].split(")")[0]
        url = self.platform.workstations_url
        status, opened = self.call(url, "POST", "/v1/sessions", client, body={"login": login, "password": password})
        assert status == 201, opened
        status, _ = self.call(url, "POST", "/v1/staff/me/consent", client, opened["token"], {"version": "staff-pd-2026-1"})
        assert status == 204
        return opened["token"], account


def _school_prepares_a_pupil(platform: Platform) -> tuple[str, str]:
    """Registers a synthetic pupil, assigns a navigator who assigns a published test, and issues the
    activation code: (the pupil's vault token, the activation code)."""
    desk = Desk(platform)
    suffix = secrets.token_hex(3)
    url = platform.workstations_url
    school, _ = desk.staff(f"browser.pschool.{suffix}", "school", "bilet://school/77-0001", "workstation")
    navigator, navigator_id = desk.staff(f"browser.pnav.{suffix}", "navigator", "bilet://school/77-0001", "workstation")
    methodologist, _ = desk.staff(f"browser.pmethod.{suffix}", "methodologist", "bilet://operator/op-1", "operator", region=None)
    status, registered = desk.call(url, "POST", "/v1/pupils", "workstation", school, {
        "pupil": {"surname": "Тестова", "first_name": "Вера", "birth_date": "2012-03-04", "grade": "7", "class": "А"},
        "guardian": {"surname": "Тестова", "first_name": "Ольга", "relation": "mother", "phone": "+7 900 000-00-07"},
        "consent": {"number": f"{suffix}/2026", "signed_on": "2026-09-01", "pupil_signed": True,
                    "purposes": ["self_service", "assessment", "recommendation"]}})
    assert status == 201, registered
    pupil = registered["token"]
    status, answer = desk.call(url, "POST", f"/v1/pupils/{pupil}/navigators", "workstation", school, {"navigator": navigator_id})
    assert status == 201, answer
    status, answer = desk.call(url, "POST", "/v1/assessment/tests", "operator", methodologist, TEST)
    assert status in (201, 409), answer
    status, answer = desk.call(url, "POST", "/v1/assessment/tests/browser-pupil-test/versions/1/publish", "operator", methodologist)
    assert status in (200, 409), answer
    status, answer = desk.call(url, "POST", "/v1/assessment/assignments", "workstation", navigator,
                               {"pupil": pupil, "test": "browser-pupil-test", "version": 1})
    assert status == 201, answer
    status, issued = desk.call(url, "POST", f"/v1/pupils/{pupil}/activation-code", "workstation", school)
    assert status == 201, issued
    return pupil, issued["activation_code"]


def test_a_pupil_activates_takes_a_test_and_sees_who_accessed_their_data(
    platform: Platform, phone_page: Page, screenshots: Screenshots
) -> None:
    pupil, code = _school_prepares_a_pupil(platform)
    page = phone_page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    assert page.viewport_size == PHONE
    login = f"vera.{secrets.token_hex(3)}"

    page.goto(platform.pupils_url + "/app/pupil/activate")
    assert page.locator("h1").inner_text() == "Активация учётной записи"
    page.get_by_label("Код активации").fill(code)
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Пароль ещё раз").fill(PASSWORD)
    screenshots.save(page, "pupil-activate")
    page.get_by_role("button", name="Активировать").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Учётная запись активирована.")

    page.get_by_role("link", name="Войти").click()
    page.wait_for_load_state()
    assert page.url == platform.pupils_url + "/app/pupil/sign-in"
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()
    assert page.url == platform.pupils_url + "/app/pupil/home", page.url
    screenshots.save(page, "pupil-home")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Мои тесты и результаты").click()
    page.wait_for_load_state()
    assert "Интересы" in page.locator("main").inner_text()
    page.get_by_role("button", name="Начать или продолжить").click()
    page.wait_for_load_state()
    assert "Вопрос 1 из 2." in page.locator("main").inner_text()
    page.get_by_label("Программирование").check()
    screenshots.save(page, "pupil-question")
    page.get_by_role("button", name="Сохранить и дальше").click()
    page.wait_for_load_state()
    assert "Вопрос 2 из 2. Отвечено: 1." in page.locator("main").inner_text()
    # Progress is saved: the previous question shows the saved answer after a reload.
    page.get_by_role("link", name="Предыдущий вопрос").click()
    page.wait_for_load_state()
    assert page.get_by_label("Программирование").is_checked()
    page.goto(page.url.replace("question=1", "question=2"))
    page.get_by_label("4").check()
    page.get_by_role("button", name="Сохранить ответ").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Завершить тест").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Тест завершён, результат сохранён."
    assert "отвечено на 2 из 2 вопросов" in page.locator("main").inner_text()
    screenshots.save(page, "pupil-results")

    page.get_by_role("link", name="Кто обращался к моим данным").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Кто обращался к моим данным"
    text = page.locator("main").inner_text()
    assert "сотрудник школы" in text and "школа 77-0001" in text
    assert "browser.pschool" not in text and pupil not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot = screenshots.save(page, "pupil-accesses")
    docs = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("BILET_UPDATE_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, docs / "pupil-accesses-phone.png")

    # The pupil's events (none yet: nobody enrolled this pupil), from the menu.
    page.locator("header nav").get_by_role("link", name="Мероприятия", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Мои мероприятия"
    assert "Вы пока не записаны ни на одно мероприятие." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshots.save(page, "pupil-events")

    page.get_by_role("button", name="Выйти").click()
    page.wait_for_load_state()
    assert page.url == platform.pupils_url + "/app/pupil/sign-in"
    assert violations == [], violations
