"""Base URLs are checked before use: malformed, wrong scheme, plain http off loopback."""

from __future__ import annotations

import pytest

from studio.core.errors import ConfigError
from studio.providers.http import is_loopback, validate_base_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("  https://gw.example.com/openai/v1/  ", "https://gw.example.com/openai/v1"),
        ("http://127.0.0.1:8790/v1", "http://127.0.0.1:8790/v1"),
        ("http://localhost:4000", "http://localhost:4000"),
        ("http://[::1]:8080/v1", "http://[::1]:8080/v1"),
        ("https://my-res.openai.azure.com/openai/v1/", "https://my-res.openai.azure.com/openai/v1"),
    ],
)
def test_good_urls(url: str, expected: str) -> None:
    assert validate_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("api.openai.com/v1", "must start with https:// (it has no scheme)"),
        ("htps://api.openai.com", "must start with https://"),
        ("https://", "has no host"),
        ("https://exa mple.com", "contains a space"),
        ("https://api..com/v1", "invalid host name"),
        ("https://user:pw@api.example.com", "must not contain a user name"),
        ("https://api.example.com/v1?key=1", "must not have a query"),
        ("http://api.example.com/v1", "is not encrypted"),
        ("http://192.168.1.10:8000/v1", "is not encrypted"),
        ("https://api.example.com:99999", "not a valid URL"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_base_url(url)


def test_loopback() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("127.8.9.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("localhost.example.com")
