"""Fixtures of the browser tests: Debian's Chromium, headless, driven by Playwright's sync API.

Run through ./scripts/browser-test, which starts a real `bilet serve` on a throwaway development
platform, makes the NSS databases and the certificate-selection policy, and passes in the environment:

  BILET                     the built `bilet` (accounts for the signed-in staff fixture)
  BILET_CONFIG              the throwaway platform's configuration
  BILET_WORKSTATIONS_URL    the workstations' listener (client certificate required)
  BILET_PUPILS_URL          the pupils' listener (no client certificate)
  BILET_WORKSTATION_HOME    a HOME whose .pki/nssdb holds the workstation's key and certificate
  BILET_BARE_HOME           a HOME whose .pki/nssdb trusts the platform's CA and holds no certificate
  BILET_WORKSTATION_PRINCIPAL  the workstation certificate's identity URI
  BILET_BROWSER_ARTIFACTS   where screenshots go
  BILET_SERVE_LOG           `bilet serve`'s JSON log

The client certificate reaches the TLS handshake through Chromium's own NSS path, never through
Playwright's `client_certificates` option (which would terminate TLS in Playwright's driver instead).
"""

from __future__ import annotations

import json
import os
import re
import time
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Generous for a loaded two-core machine, short enough that a hang (e.g. a certificate dialog that
# headless Chromium can never show) fails the test instead of the CI run.
TIMEOUT_MS = 15_000
# A phone in portrait, as the pupils' and mentors' pages are used.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _environment(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the browser tests through ./scripts/browser-test", returncode=2)
    return value


@dataclass(frozen=True)
class Platform:
    """The running throwaway platform, as ./scripts/browser-test started it."""

    bilet: Path
    workstations_url: str
    pupils_url: str
    workstation_principal: str
    artifacts: Path
    serve_log: Path

    def gateway_refusals(self, refusal: str, listener: str) -> int:
        """How many `tls client certificate refused` lines with this `tls.refusal` and `tls.listener`
        the gateway has logged so far (it logs once per refused handshake, moments after it)."""
        time.sleep(0.5)
        count = 0
        for line in self.serve_log.read_text(encoding="utf-8").splitlines():
            if '"tls client certificate refused"' not in line:
                continue
            entry = json.loads(line)
            if entry.get("tls.refusal") == refusal and entry.get("tls.listener") == listener:
                count += 1
        return count


@pytest.fixture(scope="session")
def platform() -> Platform:
    return Platform(
        bilet=Path(_environment("BILET")),
        workstations_url=_environment("BILET_WORKSTATIONS_URL"),
        pupils_url=_environment("BILET_PUPILS_URL"),
        workstation_principal=_environment("BILET_WORKSTATION_PRINCIPAL"),
        artifacts=Path(_environment("BILET_BROWSER_ARTIFACTS")),
        serve_log=Path(_environment("BILET_SERVE_LOG")),
    )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


def _chromium(playwright: Playwright, home: str) -> Browser:
    """Debian's Chromium in headless mode with `home` as its HOME, so NSS opens `home`/.pki/nssdb.

    Playwright passes `--headless`, which in Chromium 132 and later is the new headless mode (the
    full browser, policies included); no browser of Playwright's own is downloaded or used."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        env={**os.environ, "HOME": home},
    )


@pytest.fixture(scope="session")
def workstation_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium as on a school's workstation: the workstation certificate in NSS, selected by policy."""
    browser = _chromium(playwright, _environment("BILET_WORKSTATION_HOME"))
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def bare_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium on a machine without the workstation certificate (the CA is trusted, nothing else)."""
    browser = _chromium(playwright, _environment("BILET_BARE_HOME"))
    yield browser
    browser.close()


def _context(browser: Browser, viewport: dict[str, int]) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def workstation_page(workstation_browser: Browser) -> Iterator[Page]:
    """A desktop-sized page in the workstation's browser."""
    for context in _context(workstation_browser, DESKTOP):
        yield context.new_page()


@pytest.fixture
def bare_page(bare_browser: Browser) -> Iterator[Page]:
    """A desktop-sized page in the browser without the certificate."""
    for context in _context(bare_browser, DESKTOP):
        yield context.new_page()


@pytest.fixture
def phone_page(bare_browser: Browser) -> Iterator[Page]:
    """A phone-sized page without a client certificate, as a pupil's or a mentor's phone."""
    for context in _context(bare_browser, PHONE):
        yield context.new_page()


class Screenshots:
    """Saves full-page screenshots of the test's pages as artefacts, one file per name."""

    def __init__(self, directory: Path, test_name: str) -> None:
        self.directory = directory
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)

    def save(self, page: Page, name: str) -> Path:
        path = self.directory / f"{self.prefix}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0, f"empty screenshot {path}"
        return path


@pytest.fixture
def screenshots(platform: Platform, request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(platform.artifacts, request.node.name)


# The staff pages' sign-in form (the `Pages`/`PagesHTTP` targets under /app/): the fixture below signs in
# through it.
SIGN_IN_PATH = "/app/sign-in"


@dataclass(frozen=True)
class StaffMember:
    """A signed-in school staff member: the workstation's browser page after the sign-in form."""

    login: str
    role: str
    organisation: str
    page: Page


# The variables of the throwaway platform that `bilet` itself reads (scripts/lib/throwaway-platform.sh).
_PLATFORM_VARIABLES = {"BILET_CONFIG", "BILET_DATABASE_LOCAL_DIRECTORY", "BILET_AUDIT_CHECKPOINT_DIRECTORY", "BILET_LOG_FORMAT"}


def _add_account(platform: Platform, login: str, role: str, organisation: str, password: str, region: str | None = "77") -> None:
    added = subprocess.run(
        [str(platform.bilet), "accounts", "add", "--login", login, "--role", role,
         "--organisation", organisation, *(["--region", region] if region else []), "--password-stdin"],
        input=password + "\n", text=True, capture_output=True,
        # bilet refuses BILET_* variables it does not know: only the platform's own reach it
        env={name: value for name, value in os.environ.items()
             if not name.startswith("BILET_") or name in _PLATFORM_VARIABLES},
    )
    assert added.returncode == 0, f"bilet accounts add: {added.stdout}{added.stderr}"


@pytest.fixture
def signed_in_school_staff(platform: Platform, workstation_page: Page) -> StaffMember:
    """A school staff member (role `school`, school 77-0001: the workstation's organisation) signed in
    with both factors: the workstation certificate (NSS, selected by policy) and the password typed
    into the sign-in form at SIGN_IN_PATH, which must answer 200.

    Every staff member records the consent to the processing of their own data before anything else
    works (403 staff-consent-required in the API); when the pages ask for it after the first sign-in,
    this fixture is where it gets accepted."""
    organisation = "bilet://school/77-0001"
    login = f"browser.school.{secrets.token_hex(4)}"
    password = f"browser run {secrets.token_hex(16)}"
    _add_account(platform, login, "school", organisation, password)
    sign_in(platform, workstation_page, login, password)
    return StaffMember(login=login, role="school", organisation=organisation, page=workstation_page)


def sign_in(platform: Platform, page: Page, login: str, password: str) -> None:
    """Both factors at the workstation: the certificate (NSS, selected by policy) and the password
    typed into the sign-in form at SIGN_IN_PATH, which must answer 200; then the staff consent to the
    processing of their own data, which the pages ask for after the first sign-in. Ends on /app/home."""
    answer = page.goto(platform.workstations_url + SIGN_IN_PATH)
    assert answer is not None
    assert answer.status == 200, f"the sign-in page at {SIGN_IN_PATH} answered {answer.status}"
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/consent", page.url
    page.get_by_role("button", name="Даю согласие").click()
    page.wait_for_load_state()
    assert page.url == platform.workstations_url + "/app/home", page.url
