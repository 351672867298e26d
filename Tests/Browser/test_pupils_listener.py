"""The pupils' listener: server-auth TLS only, in a phone-sized browser without any certificate."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from conftest import PHONE, Platform, Screenshots


def test_healthz_loads_on_a_phone_without_a_certificate(
    platform: Platform, phone_page: Page, screenshots: Screenshots
) -> None:
    answer = phone_page.goto(platform.pupils_url + "/healthz")
    assert answer is not None
    assert answer.status == 200
    assert json.loads(phone_page.locator("body").inner_text()) == {"status": "ok"}
    assert phone_page.viewport_size == PHONE
    assert phone_page.evaluate("window.innerWidth") == PHONE["width"]
    screenshots.save(phone_page, "healthz-phone")


def test_whoami_on_the_pupils_listener_has_no_principal(platform: Platform, phone_page: Page) -> None:
    answer = phone_page.goto(platform.pupils_url + "/v1/whoami")
    assert answer is not None
    assert answer.status == 401
    assert json.loads(phone_page.locator("body").inner_text())["code"] == "no-client-certificate"
