"""The navigator's pages in a real browser (docs/PAGES.md), at school 77-0001's workstation (the
development certificate in the NSS database): the school registers a synthetic pupil and assigns her
to the navigator, the venue's events are approved (through the JSON API); the navigator signs in
through the form, finds an event open for enrolment, enrols the pupil (seated), sees a refusal in
Russian above the cancel form for a pupil not enrolled; the mentor marks her present at two trials
(JSON API); the navigator prepares her recommendation drafts, edits one and publishes it, and the
JSON API then shows it published with the navigator's text. No Content-Security-Policy violation.
Screenshots `navigator-event` and `navigator-recommendations`."""

from __future__ import annotations

import datetime
import os
import secrets
import shutil
import subprocess
from pathlib import Path

from playwright.sync_api import Browser

from conftest import sign_in, DESKTOP, TIMEOUT_MS, Platform, Screenshots, _PLATFORM_VARIABLES
from test_pupil_pages import Desk


def _account(platform: Platform, login: str, password: str) -> str:
    """A navigator account of school 77-0001 with `password`: its id (`usr_…`)."""
    added = subprocess.run(
        [str(platform.bilet), "accounts", "add", "--login", login, "--role", "navigator", "--organisation", "bilet://school/77-0001",
         "--region", "77", "--password-stdin"],
        input=password + "\n", text=True, capture_output=True,
        env={name: value for name, value in os.environ.items() if not name.startswith("BILET_") or name in _PLATFORM_VARIABLES})
    assert added.returncode == 0, added.stdout + added.stderr
    return added.stdout.split("(user:")[1].split(")")[0]


def test_the_navigator_enrols_a_pupil_and_publishes_a_recommendation(
    platform: Platform, workstation_browser: Browser, screenshots: Screenshots
) -> None:
    url = platform.workstations_url
    desk = Desk(platform)
    suffix = secrets.token_hex(3)
    school, _ = desk.staff(f"browser.nschool.{suffix}", "school", "bilet://school/77-0001", "workstation")
    venue, _ = desk.staff(f"browser.nvenue.{suffix}", "venue", "bilet://venue/77-0042", "venue")
    mentor, mentor_id = desk.staff(f"browser.nmentor.{suffix}", "mentor", "bilet://venue/77-0042", "venue")
    coordinator, _ = desk.staff(f"browser.ncoord.{suffix}", "regional_coordinator", "bilet://region/77", "region")
    login, password = f"browser.navigator.{suffix}", f"browser run {secrets.token_hex(16)}"
    navigator_id = _account(platform, login, password)

    # The school's pupil, assigned to the navigator (consent to recommendations; enrolment comes with registration).
    status, registered = desk.call(url, "POST", "/v1/pupils", "workstation", school, {
        "pupil": {"surname": "Образцова", "first_name": "Милана", "birth_date": "2011-05-03", "grade": "9", "class": "В"},
        "guardian": {"surname": "Образцова", "first_name": "Ирина", "relation": "mother", "phone": "+7 900 000-00-09"},
        "consent": {"number": f"{suffix}/2026", "signed_on": "2026-09-01", "pupil_signed": True, "purposes": ["recommendation"]}})
    assert status == 201, registered
    pupil = registered["token"]
    assert desk.call(url, "POST", f"/v1/pupils/{pupil}/navigators", "workstation", school, {"navigator": navigator_id})[0] == 201

    # The venue's two trials running now and one tomorrow, approved by the coordinator.
    status, place = desk.call(url, "POST", "/v1/trials/places", "venue", venue,
                              {"name": "Мастерская 2", "address": "г. Тестов, ул. Примерная, 2", "capacity": 30})
    assert status == 201, place
    assert desk.call(url, "POST", "/v1/trials/mentors", "venue", venue, {"account": mentor_id})[0] == 201
    now = datetime.datetime.now(datetime.timezone.utc)
    titles = [f"Проба «Робототехника» {suffix}", f"Проба «Черчение» {suffix}", f"Проба «Мехатроника» {suffix}"]
    events: list[int] = []
    for title, start in zip(titles, [now - datetime.timedelta(hours=1)] * 2 + [now + datetime.timedelta(days=1)]):
        status, event = desk.call(url, "POST", "/v1/trials/events", "venue", venue, {
            "kind": "trial", "title": title, "startsAt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endsAt": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), "place": place["id"], "capacity": 5,
            "sphere": "engineering", "competencies": ["robotics"], "format": "in_person", "mentor": mentor_id})
        assert status == 201, event
        assert desk.call(url, "POST", f"/v1/trials/events/{event['id']}/submit", "venue", venue)[0] == 200
        assert desk.call(url, "POST", f"/v1/trials/events/{event['id']}/approve", "region", coordinator)[0] == 200
        events.append(event["id"])

    # The navigator signs in at the school's workstation.
    violations: list[str] = []
    context = workstation_browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    sign_in(platform, page, login, password)

    # Enrolment: the event from the list, the pupil by name, seated; cancelling a pupil not enrolled is refused.
    page.get_by_role("link", name="Записать учеников на мероприятия").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Запись на мероприятия"
    for title in titles:
        assert page.get_by_role("link", name=title).count() == 1, title
    page.get_by_role("link", name=titles[2]).click()
    page.wait_for_load_state()
    page.locator("#cancel-pupil").select_option(label="Образцова Милана")
    page.get_by_role("button", name="Отменить запись").click()
    page.wait_for_load_state()
    cancel = page.locator("#cancel-pupil")
    assert cancel.get_attribute("aria-invalid") == "true"
    assert page.locator("#" + cancel.get_attribute("aria-describedby")).inner_text() == "Этот ученик не записан на мероприятие."
    for title in titles[:2]:
        page.goto(url + "/app/navigator/events")
        page.get_by_role("link", name=title).click()
        page.wait_for_load_state()
        page.locator("#enrol-pupil").select_option(label="Образцова Милана")
        page.get_by_role("button", name="Записать").click()
        page.wait_for_load_state()
        assert page.get_by_role("status").inner_text() == "Ученик записан: место за учеником."
        assert page.locator("main ol li").first.inner_text() == "место"
    event_shot = screenshots.save(page, "navigator-event")

    # The mentor marks her present with a 5 at both trials (JSON API).
    for event in events[:2]:
        status, sheet = desk.call(url, "GET", f"/v1/trials/events/{event}/attendance", "venue", mentor)
        assert status == 200, sheet
        trials_token = sheet["pupils"][0]["pupil"]
        status, _ = desk.call(url, "PUT", f"/v1/trials/events/{event}/attendance/{trials_token}", "venue", mentor, {"attended": True, "grade": 5})
        assert status == 204

    # Recommendations: drafts prepared, one edited and published.
    page.get_by_role("link", name="Рекомендации учеников").click()
    page.wait_for_load_state()
    card = page.locator("section.card", has_text="Образцова Милана")
    assert "Черновиков: 0. Опубликовано: 0." in card.inner_text()
    card.get_by_role("link", name="Образцова Милана").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Подготовить черновики заново").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Черновики подготовлены заново по результатам тестов и проб."
    first = page.locator("ol.cards li").first
    title = first.locator("h2").inner_text()
    text = "Милана, попробуйте инженерный кружок: на пробах у вас всё получилось."
    first.get_by_label("Текст для ученика (черновик)").fill(text)
    first.get_by_role("button", name="Сохранить текст").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Текст рекомендации сохранён."
    page.locator("ol.cards li").first.get_by_role("button", name="Опубликовать").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Рекомендация опубликована: ученик видит её в личном кабинете."
    published = page.locator("ol.cards li", has_text=text)
    assert "Опубликовано" in published.inner_text()
    assert published.locator("textarea").count() == 0
    recommendations_shot = screenshots.save(page, "navigator-recommendations")

    # The JSON API shows the same: published, the navigator's text.
    status, opened = desk.call(url, "POST", "/v1/sessions", "workstation", body={"login": login, "password": password})
    assert status == 201, opened
    status, answer = desk.call(url, "GET", f"/v1/recommendations/pupils/{pupil}", "workstation", opened["token"])
    assert status == 200, answer
    item = next(item for item in answer["recommendations"] if item["text"] == text)
    assert item["status"] == "published"
    assert item["title"] in title
    if os.environ.get("BILET_UPDATE_DOCS_SCREENSHOTS"):
        docs = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        for shot, name in [(event_shot, "navigator-event"), (recommendations_shot, "navigator-recommendations")]:
            shutil.copyfile(shot, docs / f"{name}.png")
    context.close()
    assert violations == [], violations
