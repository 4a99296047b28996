"""The consent page driven by a real headless Chromium (selenium + Debian's chromedriver)."""

from __future__ import annotations

import shutil
from typing import Any

import httpx
import pytest

from .conftest import HttpServer
from .oauth_flow import code_from, exchange, register_and_authorize
from .test_http import mcp_over_http

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.anyio,
    pytest.mark.skipif(
        CHROMIUM is None or not shutil.which(CHROMEDRIVER),
        reason="chromium/chromedriver not installed (apt-get install -y chromium chromium-driver)",
    ),
]


def headless_chromium() -> Any:
    """Debian's chromium under its chromedriver, headless, with no traffic of its own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _drive_consent(consent_url: str, api_key: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver = headless_chromium()
    try:
        driver.set_page_load_timeout(30)
        driver.get(consent_url)
        assert "Connect Test Agent to Twenty CRM" in driver.page_source
        driver.find_element(By.ID, "api_key").send_keys(api_key)
        driver.find_element(By.CSS_SELECTOR, "input[name=mode][value=read-write]").click()
        objects = driver.find_element(By.ID, "objects")
        objects.clear()
        objects.send_keys("people, companies")
        driver.find_element(By.ID, "approve").click()
        WebDriverWait(driver, 20).until(expected_conditions.url_contains("code="))
        return str(driver.current_url)
    finally:
        driver.quit()


async def test_consent_page_in_headless_chromium(http_env: dict[str, str], fake_twenty: Any) -> None:
    import anyio

    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, f"{srv.url}/healthz")
            landed = await anyio.to_thread.run_sync(_drive_consent, pending.consent_url, fake_twenty.api_key)
            assert fake_twenty.api_key not in landed
            tokens = await exchange(http, pending, code_from(landed, pending.state))
        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "twenty_create_record" in names  # read-write was picked in the browser
            r = await client.call_tool(
                "twenty_create_record", {"object": "companies", "data": {"name": "Browser Co"}}
            )
            assert not r.is_error, r.content
            r = await client.call_tool("twenty_list_records", {"object": "opportunities"})
            assert r.is_error and "allowed objects" in r.content[0].text
    assert any(c.get("name") == "Browser Co" for c in fake_twenty.records("companies"))
