"""The whole "Sign in with Twenty" flow in a real headless Chromium: our consent page → the fake
Twenty's stand-in for its front-end consent route (sign in, then Authorize, which runs
findApplicationRegistrationByClientId and authorizeApp on /metadata as Authorize.tsx does) → our
callback → the MCP client's redirect URI; then the MCP client works as that user."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import HttpServer, answer_of
from .oauth_flow import code_from, exchange, register_and_authorize
from .test_browser_consent import headless_chromium, pytestmark  # noqa: F401 - same browser set-up
from .test_http import mcp_over_http


def _drive(consent_url: str, email: str, password: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver = headless_chromium()
    wait = WebDriverWait(driver, 20)
    try:
        driver.set_page_load_timeout(30)
        driver.get(consent_url)
        assert "Connect Test Agent to Twenty CRM" in driver.page_source
        driver.find_element(By.CSS_SELECTOR, "input[name=mode][value=read-write]").click()
        driver.find_element(By.ID, "twenty").click()  # "Sign in with Twenty"
        # Twenty's consent route: it names our server (findApplicationRegistrationByClientId)
        wait.until(
            expected_conditions.text_to_be_present_in_element((By.ID, "app-name"), "Twenty MCP server")
        )
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.ID, "signin-button").click()
        wait.until(expected_conditions.element_to_be_clickable((By.ID, "authorize"))).click()
        wait.until(expected_conditions.url_contains("code="))
        return str(driver.current_url)
    finally:
        driver.quit()


async def test_sign_in_with_twenty_in_headless_chromium(http_env: dict[str, str], fake_twenty: Any) -> None:
    import anyio

    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, f"{srv.url}/healthz")
            landed = await anyio.to_thread.run_sync(
                _drive, pending.consent_url, fake.user_email, fake.user_password
            )
            assert landed.startswith(f"{srv.url}/healthz?")
            tokens = await exchange(http, pending, code_from(landed, pending.state))
        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            r = await client.call_tool(
                "twenty_create_record", {"object": "companies", "data": {"name": "Chromium Co"}}
            )
            assert not r.is_error, r.content
            assert answer_of(r)["record"]["createdBy"]["name"] == "Tim Apple"
            fav = await client.call_tool(
                "twenty_add_favorite", {"object": "companies", "id": answer_of(r)["record"]["id"]}
            )
            assert not fav.is_error, fav.content
