"""Base URL normalisation and settings from the environment."""

import pytest

from twenty_api import TwentyClient, TwentySettings
from twenty_api.urls import is_loopback, normalize_base_url, origin_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://crm.example.com", "https://crm.example.com"),
        ("https://crm.example.com/", "https://crm.example.com"),
        ("https://crm.example.com/rest", "https://crm.example.com"),
        ("https://crm.example.com/rest/", "https://crm.example.com"),
        ("  https://crm.example.com:8443/twenty/rest/ ", "https://crm.example.com:8443/twenty"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
        ("http://localhost:3000/rest", "http://localhost:3000"),
        ("http://[::1]:3000/", "http://[::1]:3000"),
        ("http://127.5.5.5", "http://127.5.5.5"),
    ],
)
def test_normalize_accepts_what_people_paste(raw: str, expected: str) -> None:
    assert normalize_base_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("http://crm.example.com", "use https"),
        ("http://10.0.0.5:3000", "use https"),
        ("ftp://crm.example.com", r"scheme http\(s\)"),
        ("crm.example.com", r"scheme http\(s\)"),
        ("", "empty"),
        ("https://crm.example.com/?token=abc", "query"),
        ("https://user:pw@crm.example.com", "credentials"),
    ],
)
def test_normalize_refuses_with_a_reason(raw: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        normalize_base_url(raw)


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.com")


def test_origin_of() -> None:
    assert origin_of("https://crm.example.com:8443/twenty") == "https://crm.example.com:8443"


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWENTY_API_URL", "https://crm.example.com/rest/")
    monkeypatch.setenv("TWENTY_API_KEY", "secret-key")
    monkeypatch.setenv("TWENTY_RATE_LIMIT", "off")
    monkeypatch.delenv("TWENTY_ACCESS_TOKEN", raising=False)
    s = TwentySettings()
    assert s.api_url == "https://crm.example.com"
    assert s.api_key is not None and s.api_key.get_secret_value() == "secret-key"
    assert "secret-key" not in repr(s)
    assert s.rate_limit is None
    client = TwentyClient.from_settings(s)
    assert client.base_url == "https://crm.example.com" and client.pacer is None
    assert not client.is_user_session


def test_settings_refuse_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWENTY_API_URL", "http://crm.example.com")
    with pytest.raises(ValueError, match="use https"):
        TwentySettings()


def test_client_needs_exactly_one_credential() -> None:
    with pytest.raises(ValueError, match="needs credentials"):
        TwentyClient("https://crm.example.com")
    with pytest.raises(ValueError, match="not both"):
        TwentyClient("https://crm.example.com", api_key="a", access_token="b")
    with pytest.raises(ValueError, match="https"):
        TwentyClient("http://crm.example.com", api_key="a")


def test_user_session_is_not_paced() -> None:
    assert TwentyClient("https://crm.example.com", access_token="t").pacer is None
    assert TwentyClient("https://crm.example.com", access_token="t").is_user_session


def test_settings_read_a_given_environment_and_blank_means_unset() -> None:
    env = {"TWENTY_API_URL": "http://localhost:3000/rest", "TWENTY_API_KEY": " ",
           "TWENTY_USER_EMAIL": "tim@apple.dev", "TWENTY_USER_PASSWORD": "pw"}
    s = TwentySettings.from_env(env)
    assert s.api_url == "http://localhost:3000" and s.api_key is None and s.has_user
    assert TwentySettings.from_env(env, api_url="https://crm.example.com").api_url == "https://crm.example.com"
    assert TwentySettings.from_env({}).api_url is None
    with pytest.raises(ValueError, match="TWENTY_API_URL is not set"):
        TwentyClient.from_settings(TwentySettings.from_env({}))


def test_deploy_names_a_bad_url_setting_instead_of_a_traceback() -> None:
    from deploy.target import target_from_env
    from infra.problems import PreconditionError

    with pytest.raises(PreconditionError, match=r"TWENTY_API_URL: .*use https"):
        target_from_env({"TWENTY_API_URL": "http://crm.example.com", "TWENTY_API_KEY": "k"})
