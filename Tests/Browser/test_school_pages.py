"""The school staff's pages in a real browser (docs/PAGES.md): the signed-in school staff member
registers a synthetic pupil through the form, sees a refused value's message next to its field and
the vault's refusal of an incomplete consent above the form, and
finds the pupil among those lacking a consent for the pupil's own account; the pages load their
stylesheet and post their forms under the pages' Content-Security-Policy, with no inline script or
style for it to block."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage

from conftest import Platform, Screenshots, StaffMember

PUPIL = {
    "surname": "Тестова", "first_name": "Анна", "birth_date": "2011-04-02", "grade": "9", "class": "Б",
    "guardian_surname": "Тестова", "guardian_first_name": "Мария", "guardian_phone": "+7 900 000-00-01",
    "consent_number": "17/2025", "consent_signed_on": "2025-09-01",
}


def test_a_school_registers_a_pupil_through_the_form(
    platform: Platform, signed_in_school_staff: StaffMember, screenshots: Screenshots
) -> None:
    page = signed_in_school_staff.page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if isinstance(message, ConsoleMessage) and "Content Security Policy" in message.text else None)
    screenshots.save(page, "school-home")
    page.get_by_role("link", name="Зарегистрировать ученика").first.click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/pupils/new"
    # The inputs are reached by their labels, as a screen reader or the keyboard would.
    form = page.locator("form[action='/app/pupils']")
    for name, value in PUPIL.items():
        form.locator(f"#{name}").fill(value)
    form.get_by_label("СНИЛС").fill("112-233-445 96")
    form.get_by_label("Кем приходится ученику *").select_option("mother")
    form.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_load_state()
    error = page.locator("#snils-error")
    assert error.inner_text() == "СНИЛС должен состоять из 11 цифр с верной контрольной суммой."
    assert page.locator("#snils").get_attribute("aria-describedby") == "snils-error"
    assert page.locator("#surname").input_value() == "Тестова"
    screenshots.save(page, "register-refused-snils")

    # The vault's own check: a pupil of 14 on the consent's date signs it too.
    page.locator("#snils").fill("112-233-445 95")
    page.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("Данные согласия неполны или противоречат правилам")
    page.get_by_label("Ученик в возрасте от 14 до 17 лет тоже подписал согласие").check()
    page.get_by_role("button", name="Зарегистрировать").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ученик зарегистрирован"
    token = page.locator("#pupil-token").inner_text()
    assert token.startswith("sub_")
    screenshots.save(page, "registered")

    page.get_by_role("link", name="Ученики без согласия").first.click()
    page.wait_for_load_state()
    # other tests of the run register pupils of the same school too (test_officer_pages.py)
    assert page.locator(f"table tbody tr:has-text('{token}')").count() == 1
    assert token in page.locator("table").inner_text()
    screenshots.save(page, "lacking-consent")
    assert violations == [], violations
