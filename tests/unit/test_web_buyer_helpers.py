"""The buyer pages' helpers: catalogues, language choice, formatting, rate limit, form tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from babel.messages.extract import extract_from_dir

from splitship.entrypoints.web import formtoken, i18n
from splitship.entrypoints.web.ratelimit import RateLimiter
from splitship.services.buyer import mask_name

JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def template_messages() -> set[str | tuple[str, ...]]:
    found = extract_from_dir(
        str(i18n.TEMPLATE_DIR),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": JINJA_OPTIONS},
    )
    return {msg for _, _, msg, _, _ in found}


def test_every_template_string_has_a_chinese_translation() -> None:
    zh = i18n.translations("zh_Hans")
    missing = []
    for msg in template_messages():
        if isinstance(msg, tuple):
            translated = zh.ngettext(msg[0], msg[1], 2)
            same = translated == msg[1]
        else:
            same = zh.gettext(msg) == msg
        if same:
            missing.append(msg)
    assert missing == []


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        (None, None, None, "en"),
        (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        (None, None, "fr-FR, en;q=0.5, zh;q=0.7", "zh_Hans"),
        (None, None, "zh-TW,zh;q=0.9", "zh_Hans"),  # the bare "zh" fallback is Simplified
        (None, None, "zh-TW", "en"),
        (None, None, "zh-Hans-SG;q=0, en", "en"),
        (None, "zh_Hans", "en-US", "zh_Hans"),
        ("en", "zh_Hans", "zh-CN", "en"),
        ("klingon", None, "zh", "zh_Hans"),
        (None, None, "garbage;;q=x,,", "en"),
    ],
)
def test_locale_comes_from_switch_then_cookie_then_accept_language(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert i18n.negotiate(query, cookie, header) == expected


def test_times_are_shown_in_the_shops_zone_in_the_readers_language() -> None:
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert i18n.Formatter("zh_Hans", "Asia/Shanghai").when(at) == "2026年11月26日 11:00"
    assert i18n.Formatter("en", "America/Los_Angeles").when(at).startswith("Nov 25, 2026, 7:00")
    zh = i18n.Formatter("zh_Hans", "Asia/Shanghai")
    assert zh.day_range(date(2026, 12, 3), date(2026, 12, 9)) == "2026年12月3日至9日"
    assert zh.day_range(date(2026, 12, 3), date(2026, 12, 3)) == "2026年12月3日"
    assert i18n.Formatter("en", "Not/AZone").when(at).startswith("Nov 26, 2026, 3:00")


def test_names_are_masked_to_initials() -> None:
    assert mask_name("Ada Lovelace") == "A*** L***"
    assert mask_name("  ada  ") == "a**"
    assert mask_name("张伟") == "张**"
    assert mask_name("Jean Paul Sartre Junior") == "J*** P***"
    assert mask_name("") == ""


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(6, clock=clock)  # one token every 10 s
    assert [limiter.hit("a") for _ in range(6)] == [None] * 6
    assert limiter.hit("a") == 10
    assert limiter.hit("b") is None  # per client
    clock.now += 10
    assert limiter.hit("a") is None
    assert limiter.hit("a") is not None


def test_rate_limiter_forgets_the_least_recent_clients_past_its_bound() -> None:
    limiter = RateLimiter(1, clock=FakeClock(), max_clients=2)
    for client in ("a", "b", "c"):
        assert limiter.hit(client) is None
    assert limiter.hit("a") is None  # forgotten, so it starts afresh
    assert limiter.hit("c") is not None


def test_form_token_is_bound_to_its_page_and_expires() -> None:
    token = formtoken.issue("secret", "page-1", 1000.0)
    assert formtoken.verify("secret", "page-1", token, 1000.0 + 60)
    assert not formtoken.verify("secret", "page-2", token, 1000.0 + 60)
    assert not formtoken.verify("other", "page-1", token, 1000.0 + 60)
    assert not formtoken.verify("secret", "page-1", token, 1000.0 + formtoken.MAX_AGE_SECONDS + 1)
    assert not formtoken.verify("secret", "page-1", "garbage", 1000.0)
    assert not formtoken.verify("secret", "page-1", "", 1000.0)
