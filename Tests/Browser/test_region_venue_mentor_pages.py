"""The venue's, the regional coordinator's and the mentor's pages in a real browser (docs/PAGES.md),
each at its own organisation's workstation (venue 77-0042's and region 77's development
certificates in the NSS database of a HOME of their own): the venue adds a place, registers a
mentor and creates an event through the form (a refused value shown next to its field) and submits
it, and a second one; the coordinator refuses to return the first without a reason (the message
next to the field), then approves it, returns the second with a reason and sees the region's KPI
charts; the coordinator registers a school (a wrong ИНН next to its field) and creates its first
account; the venue edits the returned event (the form filled in) and names its mentor; a navigator enrols a synthetic pupil through the JSON
API; the mentor, on a phone-sized screen (390×844), opens the event's attendance list and marks the
pupil present with a grade. No Content-Security-Policy violation, nothing wider than the phone's
screen. Screenshots of each role's main page."""

from __future__ import annotations

import datetime
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

from conftest import sign_in, CHROMIUM, DESKTOP, PHONE, TIMEOUT_MS, Platform, Screenshots, _add_account, _environment
from test_pupil_pages import Desk

MOSCOW = datetime.timezone(datetime.timedelta(hours=3))


def _browser(playwright: Playwright, variable: str) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, env={**os.environ, "HOME": _environment(variable)})


@pytest.fixture(scope="module")
def venue_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium at venue 77-0042's workstation."""
    browser = _browser(playwright, "BILET_VENUE_HOME")
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def region_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium at region 77's workstation."""
    browser = _browser(playwright, "BILET_REGION_HOME")
    yield browser
    browser.close()


def _signed_in(
    platform: Platform, browser: Browser, role: str, organisation: str, viewport: dict[str, int], violations: list[str]
) -> tuple[Page, str]:
    """A new account of `role` signed in through the form at `browser`'s workstation, consent given:
    the page and the account's login (other tests register mentors and places at the same venue, so
    choices are made by login and name, never by position)."""
    context = browser.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    login = f"browser.{role.replace('_', '-')}.{secrets.token_hex(4)}"
    password = f"browser run {secrets.token_hex(16)}"
    _add_account(platform, login, role, organisation, password)
    sign_in(platform, page, login, password)
    return page, login


def test_a_venue_creates_an_event_the_coordinator_approves_and_the_mentor_marks_attendance(
    platform: Platform, venue_browser: Browser, region_browser: Browser, screenshots: Screenshots
) -> None:
    violations: list[str] = []
    url = platform.workstations_url
    title = f"Профпроба «Робототехника» {secrets.token_hex(2)}"
    returned_title = f"Профпроба «Черчение» {secrets.token_hex(2)}"

    # The mentor's account first, so that the venue can register it.
    mentor, mentor_login = _signed_in(platform, venue_browser, "mentor", "bilet://venue/77-0042", PHONE, violations)

    # The venue: a place, the mentor, an event (a refused capacity next to its field), submitted.
    venue, _ = _signed_in(platform, venue_browser, "venue", "bilet://venue/77-0042", DESKTOP, violations)
    assert "Площадка" in venue.locator("main").inner_text()
    venue.goto(url + "/app/venue/places")
    place = f"Мастерская № {secrets.token_hex(2)}"
    venue.get_by_label("Название *").fill(place)
    venue.get_by_label("Адрес *").fill("г. Тестов, ул. Примерная, 1")
    venue.get_by_label("Вместимость *").fill("30")
    venue.get_by_role("button", name="Добавить место").click()
    venue.wait_for_load_state()
    assert venue.get_by_role("status").inner_text() == "Место проведения добавлено."
    venue.goto(url + "/app/venue/mentors")
    venue.get_by_label("Учётная запись наставника").select_option(label=mentor_login)
    venue.get_by_role("button", name="Зарегистрировать наставника").click()
    venue.wait_for_load_state()
    assert venue.get_by_role("status").inner_text() == "Наставник зарегистрирован на площадке."

    now = datetime.datetime.now(MOSCOW)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)
    venue.goto(url + "/app/venue/events/new")
    venue.get_by_label("Название *").fill(title)
    venue.get_by_label("Место проведения *").select_option(label=f"{place} (до 30 мест)")
    venue.get_by_label("Число мест *").fill("0")
    venue.get_by_label("Сфера *").fill("engineering")
    venue.get_by_label("Компетенции").fill("robotics")
    venue.get_by_label("Наставник").select_option(label=mentor_login)
    venue.get_by_label("Дата начала *").fill(start.strftime("%Y-%m-%d"))
    venue.get_by_label("Время начала *").fill(start.strftime("%H:%M"))
    venue.get_by_label("Дата окончания *").fill(end.strftime("%Y-%m-%d"))
    venue.get_by_label("Время окончания *").fill(end.strftime("%H:%M"))
    venue.get_by_role("button", name="Сохранить черновик").click()
    venue.wait_for_load_state()
    capacity = venue.get_by_label("Число мест *")
    assert capacity.get_attribute("aria-invalid") == "true"
    assert venue.locator("#" + capacity.get_attribute("aria-describedby")).inner_text() == "Введите целое число от 1 до 100000."
    capacity.fill("10")
    venue.get_by_role("button", name="Сохранить черновик").click()
    venue.wait_for_load_state()
    assert venue.url == url + "/app/venue/events?done=created", venue.url
    row = venue.locator("tr", has_text=title)
    assert "черновик" in row.inner_text()
    row.get_by_role("button", name="На согласование").click()
    venue.wait_for_load_state()
    assert "на согласовании" in venue.locator("tr", has_text=title).inner_text()
    venue_shot = screenshots.save(venue, "venue-events")

    # A second event, which the coordinator will return.
    venue.goto(url + "/app/venue/events/new")
    venue.get_by_label("Название *").fill(returned_title)
    venue.get_by_label("Место проведения *").select_option(label=f"{place} (до 30 мест)")
    venue.get_by_label("Число мест *").fill("10")
    venue.get_by_label("Сфера *").fill("engineering")
    venue.get_by_label("Дата начала *").fill(start.strftime("%Y-%m-%d"))
    venue.get_by_label("Время начала *").fill(start.strftime("%H:%M"))
    venue.get_by_label("Дата окончания *").fill(end.strftime("%Y-%m-%d"))
    venue.get_by_label("Время окончания *").fill(end.strftime("%H:%M"))
    venue.get_by_role("button", name="Сохранить черновик").click()
    venue.wait_for_load_state()
    venue.locator("tr", has_text=returned_title).get_by_role("button", name="На согласование").click()
    venue.wait_for_load_state()

    # The coordinator: a return without a reason is refused next to the field; then approved.
    coordinator, _ = _signed_in(platform, region_browser, "regional_coordinator", "bilet://region/77", DESKTOP, violations)
    coordinator.goto(url + "/app/region/events")
    card = coordinator.locator("section.card", has_text=title)
    card.get_by_role("button", name="Вернуть на доработку").click()
    coordinator.wait_for_load_state()
    card = coordinator.locator("section.card", has_text=title)
    reason = card.get_by_label("Причина возврата *")
    assert reason.get_attribute("aria-invalid") == "true"
    assert coordinator.locator("#" + reason.get_attribute("aria-describedby")).inner_text() == "Напишите, что площадке исправить."
    screenshots.save(coordinator, "region-events")
    card.get_by_role("button", name="Согласовать").click()
    coordinator.wait_for_load_state()
    assert coordinator.get_by_role("status").inner_text() == "Мероприятие согласовано: ученики могут на него записываться."
    card = coordinator.locator("section.card", has_text=returned_title)
    card.get_by_label("Причина возврата *").fill("Уточните время начала.")
    card.get_by_role("button", name="Вернуть на доработку").click()
    coordinator.wait_for_load_state()
    assert coordinator.get_by_role("status").inner_text() == "Мероприятие возвращено площадке с вашей причиной."
    coordinator.goto(url + "/app/region/kpi")
    assert coordinator.locator("svg[role=img]").count() == 5
    assert coordinator.locator("svg title").first.text_content() == "Зарегистрировано учеников"
    assert coordinator.locator("table tbody tr").count() == 12
    kpi_shot = screenshots.save(coordinator, "region-kpi")
    coordinator.goto(url + "/app/region/organisations")
    assert coordinator.locator("h1").inner_text() == "Школы и площадки региона"

    # The coordinator registers a school (region 77 registered first by the operator through the JSON API): a wrong ИНН is
    # shown next to its field, then the school is registered and its first account created, the activation code shown once.
    desk = Desk(platform)
    suffix = secrets.token_hex(3)
    operator, _ = desk.staff(f"browser.operator.{suffix}", "operator", "bilet://operator/op-1", "operator", region=None)
    status, answer = desk.call(url, "POST", "/v1/organisations", "operator", operator, {
        "kind": "region", "id": "77", "region": "77", "name": "Тестовый регион 77", "address": "г. Тестов",
        "inn": "7700000016", "ogrn": "1027700000008",
        "agreement": {"number": "ДОП-77", "signed_on": "2026-09-01", "signatory": "Тестов Т."}})
    assert status in (201, 409), answer
    school_id = f"77-{secrets.randbelow(9000) + 1000}"
    coordinator.get_by_role("link", name="Зарегистрировать школу или площадку").click()
    coordinator.wait_for_load_state()
    coordinator.get_by_label("Вид *").select_option("school")
    coordinator.get_by_label("Код в реестре *").fill(school_id)
    coordinator.get_by_label("Полное название *").fill(f"Школа {school_id} (синтетическая)")
    coordinator.get_by_label("Адрес *").fill("г. Тестов, ул. Примерная, 3")
    coordinator.get_by_label("ИНН *").fill("7700000017")
    coordinator.get_by_label("ОГРН *").fill("1027700000008")
    coordinator.get_by_label("Номер соглашения *").fill(f"ДОП-{school_id}")
    coordinator.get_by_label("Дата подписания *").fill("2026-09-01")
    coordinator.get_by_label("Подписал от организации *").fill("Примеров П.")
    coordinator.get_by_role("button", name="Зарегистрировать").click()
    coordinator.wait_for_load_state()
    inn = coordinator.get_by_label("ИНН *")
    assert inn.get_attribute("aria-invalid") == "true"
    assert coordinator.locator("#" + inn.get_attribute("aria-describedby")).inner_text() == "Контрольные цифры ИНН не сходятся: проверьте номер."
    screenshots.save(coordinator, "region-organisation-new")
    inn.fill("7700000016")
    coordinator.get_by_role("button", name="Зарегистрировать").click()
    coordinator.wait_for_load_state()
    assert coordinator.url == url + f"/app/region/staff/new?organisation=school/{school_id}&done=registered", coordinator.url
    assert coordinator.get_by_role("status").inner_text() == "Организация зарегистрирована. Создайте её первую учётную запись."
    assert coordinator.get_by_label("Организация *").input_value() == f"school/{school_id}"
    coordinator.get_by_label("Логин *").fill(f"browser.school.{suffix}")
    coordinator.get_by_role("button", name="Создать учётную запись").click()
    coordinator.wait_for_load_state()
    assert coordinator.locator("h1").inner_text() == "Учётная запись создана"
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", coordinator.locator("#activation-code").inner_text())
    status, listed = desk.call(url, "GET", f"/v1/organisations/school/{school_id}", "region",
                               desk.staff(f"browser.coord.{suffix}", "regional_coordinator", "bilet://region/77", "region")[0])
    assert status == 200 and listed["name"] == f"Школа {school_id} (синтетическая)", listed

    # The venue edits the returned event (the form filled in, the coordinator's reason shown) and names its mentor.
    venue.goto(url + "/app/venue/events")
    row = venue.locator("tr", has_text=returned_title)
    assert "Причина: Уточните время начала." in row.inner_text()
    row.get_by_role("link", name="Изменить").click()
    venue.wait_for_load_state()
    assert venue.get_by_label("Название *").input_value() == returned_title
    assert venue.get_by_label("Число мест *").input_value() == "10"
    assert venue.get_by_label("Дата начала *").input_value() == start.strftime("%Y-%m-%d")
    edited_title = returned_title.replace("Черчение", "Черчение и 3D")
    venue.get_by_label("Название *").fill(edited_title)
    venue.get_by_label("Число мест *").fill("12")
    screenshots.save(venue, "venue-event-edit")
    venue.get_by_role("button", name="Сохранить изменения").click()
    venue.wait_for_load_state()
    assert venue.url == url + "/app/venue/events?done=updated", venue.url
    row = venue.locator("tr", has_text=edited_title)
    assert "черновик" in row.inner_text() and "12 / 0" in row.inner_text()
    row.get_by_role("link", name="Наставник").click()
    venue.wait_for_load_state()
    venue.get_by_label("Наставник *").select_option(label=mentor_login)
    venue.get_by_role("button", name="Назначить наставника").click()
    venue.wait_for_load_state()
    assert venue.get_by_role("status").inner_text() == "Наставник мероприятия назначен."

    # A navigator enrols a synthetic pupil (consent to event attendance) through the JSON API.
    school, _ = desk.staff(f"browser.mschool.{suffix}", "school", "bilet://school/77-0001", "workstation")
    navigator, navigator_id = desk.staff(f"browser.mnav.{suffix}", "navigator", "bilet://school/77-0001", "workstation")
    status, registered = desk.call(url, "POST", "/v1/pupils", "workstation", school, {
        "pupil": {"surname": "Примерова", "first_name": "Дарья", "birth_date": "2011-06-07", "grade": "9", "class": "В"},
        "guardian": {"surname": "Примерова", "first_name": "Ирина", "relation": "mother", "phone": "+7 900 000-00-08"},
        "consent": {"number": f"{suffix}/2026", "signed_on": "2026-09-01", "pupil_signed": True, "purposes": ["event_attendance"]}})
    assert status == 201, registered
    pupil = registered["token"]
    assert desk.call(url, "POST", f"/v1/pupils/{pupil}/navigators", "workstation", school, {"navigator": navigator_id})[0] == 201
    status, events = desk.call(url, "GET", "/v1/trials/events", "venue", desk.staff(f"browser.mvenue.{suffix}", "venue", "bilet://venue/77-0042", "venue")[0])
    event = next(item["id"] for item in events["events"] if item["title"] == title)
    status, enrolled = desk.call(url, "POST", f"/v1/trials/events/{event}/enrolments", "workstation", navigator, {"pupil": pupil})
    assert status == 201, enrolled

    # The mentor on a phone: the event, the list with the pupil's first name and initial, a mark saved.
    mentor.goto(url + "/app/home")
    mentor.get_by_role("link", name="Мои мероприятия: посещаемость и оценки").click()
    mentor.wait_for_load_state()
    mentor.get_by_role("link", name=title).click()
    mentor.wait_for_load_state()
    card = mentor.locator("ol.attendance li").first
    assert card.locator("h2").inner_text() == "Дарья П."
    card.get_by_label("Присутствовал").check()
    card.get_by_label("Оценка").select_option("5")
    card.get_by_label("Отзыв").fill("Собрала манипулятор первой.")
    card.get_by_role("button", name="Сохранить").click()
    mentor.wait_for_load_state()
    assert mentor.get_by_role("status").inner_text() == "Отметка сохранена."
    card = mentor.locator("ol.attendance li").first
    assert card.get_by_label("Присутствовал").is_checked()
    assert card.get_by_label("Оценка").input_value() == "5"
    assert mentor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "wider than the phone"
    mentor_shot = screenshots.save(mentor, "mentor-attendance")
    if os.environ.get("BILET_UPDATE_DOCS_SCREENSHOTS"):
        docs = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        for shot, name in [(venue_shot, "venue-events"), (kpi_shot, "region-kpi"), (mentor_shot, "mentor-attendance-phone")]:
            shutil.copyfile(shot, docs / f"{name}.png")

    assert violations == [], violations
