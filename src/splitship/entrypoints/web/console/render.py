"""Rendering console pages: the locale's Jinja environment, and numbers, money and dates in the
chosen locale and the shop's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_timedelta
from babel.numbers import format_currency, format_decimal, get_currency_precision
from fastapi import Request
from fastapi.responses import HTMLResponse

from splitship.entrypoints.web import i18n
from splitship.planning.reasons import Reason

STATIC_VERSION = "1"  # bump when console.css / console.js change (long cache lifetimes)


@dataclass(frozen=True)
class ConsoleFormat:
    """Formatting for one page: the reader's language, the shop's time zone and currency."""

    locale: str
    timezone: str
    currency: str

    @property
    def _dates(self) -> i18n.Formatter:
        return i18n.Formatter(self.locale, self.timezone)

    def money(self, minor: int | None, currency: str | None = None) -> str:
        if minor is None:
            return "—"
        code = currency or self.currency
        digits = get_currency_precision(code)
        return format_currency(Decimal(minor).scaleb(-digits), code, locale=self.locale)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def weight(self, grams: int) -> str:
        if grams >= 1000:
            return f"{format_decimal(round(grams / 1000, 2), locale=self.locale)} kg"
        return f"{format_decimal(grams, locale=self.locale)} g"

    def datetime(self, value: dt.datetime | None) -> str:
        return "—" if value is None else self._dates.when(value)

    def date(self, value: dt.date | None) -> str:
        return "—" if value is None else self._dates.day(value)

    def date_range(self, earliest: dt.date | None, latest: dt.date | None) -> str:
        if earliest is None or latest is None:
            return self.date(earliest or latest)
        return self._dates.day_range(earliest, latest)

    def relative(self, value: dt.datetime, now: dt.datetime) -> str:
        """'in 5 hours' / '2 days ago' in the page's language."""
        return format_timedelta(
            value - now, add_direction=True, threshold=1.2, format="short", locale=self.locale
        )

    def local_input(self, value: dt.datetime | None) -> str:
        """A value for <input type=datetime-local>, in the shop's time zone."""
        if value is None:
            return ""
        local = value.astimezone(self._dates._zone)
        return local.strftime("%Y-%m-%dT%H:%M")

    def zone(self) -> str:
        return self._dates.zone_name()

    def reason(self, reason: Reason) -> str:
        return reason.zh if self.locale == "zh_Hans" and reason.zh else reason.en


def render(
    request: Request,
    template: str,
    locale: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    env = i18n.environment(locale)
    body = env.get_template(template).render(
        request=request,
        locale=locale,
        html_lang=i18n.HTML_LANG[locale],
        languages=i18n.LANGUAGE_NAMES,
        static_version=STATIC_VERSION,
        **context,
    )
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    # Pages show a shop's orders and addresses: never cached, never framed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
