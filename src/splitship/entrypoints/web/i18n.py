"""Languages of the web pages: Babel catalogues, locale negotiation and formatting.

Catalogues are kept as ``locales/<locale>/LC_MESSAGES/messages.po`` and compiled in memory when
first used (``read_po`` + ``write_mo``), so there is no build step and no compiled file to keep
in step. Each locale gets its own Jinja environment with its translations installed, which keeps
rendering thread-safe (no per-request switching of a shared environment).

The chosen locale comes from, in order: a ``lang`` query parameter (the language switch), the
``lang`` cookie it sets, the ``Accept-Language`` header, then English.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_interval,
    format_skeleton,
    format_time,
    get_datetime_format,
    get_timezone_location,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

LOCALES = ("en", "zh_Hans")
DEFAULT_LOCALE = "en"
LANG_COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locales"
TEMPLATE_DIR = Path(__file__).parent / "templates"
# Labels of the language switch, each in its own language.
LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文"}
# BCP 47 tags for <html lang>, which browsers use to pick fonts.
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}


@functools.cache
def translations(locale: str) -> Translations:
    """The compiled catalogue of a supported locale."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}: use one of {', '.join(LOCALES)}")
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    # The seller console keeps its strings in a catalogue of its own; on a clash this one wins.
    console_po = po_path.with_name("console.po")
    if console_po.exists():
        with console_po.open("rb") as po:
            for message in read_po(po, locale=locale):
                if message.id and message.id not in catalog:
                    catalog[message.id] = message
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


@functools.cache
def environment(locale: str) -> Environment:
    """The Jinja environment for one locale (templates autoescaped, undefined names fail)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def supported(tag: str | None) -> str | None:
    """The supported locale for a language tag (``zh-CN`` → ``zh_Hans``), or None."""
    if not tag:
        return None
    cleaned = tag.strip().replace("-", "_")
    if cleaned in LOCALES:
        return cleaned
    try:
        parsed = Locale.parse(cleaned)
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    # Babel fills in the likely script, so zh_TW and zh_HK come back as Hant and are not
    # served Simplified Chinese (the same rule as the buyer e-mails).
    if parsed.language == "zh" and parsed.script in (None, "Hans"):
        return "zh_Hans"
    if parsed.language == "en":
        return "en"
    return None


def accepted_languages(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, most preferred first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for candidate in (query, cookie, *accepted_languages(accept_language)):
        found = supported(candidate)
        if found:
            return found
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class Formatter:
    """Dates and times for one reader: in the shop's time zone, in the page's language."""

    locale: str
    timezone: str

    @property
    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return ZoneInfo("UTC")

    def when(self, value: datetime) -> str:
        """Date and minutes, no seconds: 'Nov 26, 2026, 11:00 AM' / '2026年11月26日 11:00'."""
        local = value.astimezone(self._zone)
        day = format_skeleton("yMMMd", local, locale=self.locale)
        clock = format_time(local, "short", locale=self.locale)
        # The locale's own way of joining a date and a time ("{1}, {0}" / "{1} {0}").
        pattern = str(get_datetime_format("medium", locale=self.locale)).replace("'", "")
        return pattern.replace("{0}", clock).replace("{1}", day)

    def day(self, value: date) -> str:
        return format_skeleton("yMMMd", value, locale=self.locale)

    def day_range(self, earliest: date, latest: date) -> str:
        if earliest == latest:
            return self.day(earliest)
        return format_interval(earliest, latest, "yMMMd", locale=self.locale)

    def zone_name(self) -> str:
        """Where the times are from, like 'China (Shanghai) Time'."""
        return str(get_timezone_location(self._zone, locale=self.locale))
