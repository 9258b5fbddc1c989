"""Buyer e-mails: subject, plain text and HTML rendered from the templates beside this module.

Each kind has ``templates/<locale>/<kind>.txt`` (which also holds the subject, in a
``subject`` block) and ``templates/<locale>/<kind>.html``. Locales have their own templates
rather than a message catalogue: an e-mail is mostly prose, and word order differs too much
between English and Chinese for sentence fragments to translate well.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.dates import format_interval, format_skeleton
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

__all__ = [
    "BUYER_EMAIL_KINDS",
    "EMAIL_LOCALES",
    "BuyerEmailContext",
    "RenderedEmail",
    "email_locale",
    "format_eta",
    "make_answer_excerpt",
    "render_buyer_email",
]

BUYER_EMAIL_KINDS = ("package_shipped", "order_shipped", "package_delivered", "inquiry_answered")
EMAIL_LOCALES = ("en", "zh_Hans")
DEFAULT_LOCALE = "en"
_PACKAGE_KINDS = frozenset({"package_shipped", "package_delivered"})
_TEMPLATES = Path(__file__).parent / "templates"
# Year, abbreviated month, day: "Mar 5 – 8, 2025" / "2025年3月5日至8日".
_DATE_SKELETON = "yMMMd"


@dataclass(frozen=True, kw_only=True)
class BuyerEmailContext:
    """What the buyer templates show. Package fields are needed by the package kinds only."""

    shop_name: str
    order_external_id: str
    tracking_page_url: str
    buyer_name: str
    package_number: int | None = None
    package_count: int | None = None
    carrier_name: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    eta_earliest: date | None = None
    eta_latest: date | None = None
    answer_excerpt: str | None = None


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_locale(locale: str) -> str:
    """The template locale for a buyer's locale tag (``zh-CN`` → ``zh_Hans``), else ``en``."""
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return DEFAULT_LOCALE
    # Babel fills in the likely script, so zh_TW and zh_HK come back as Hant and are not
    # served Simplified Chinese.
    if parsed.language == "zh" and parsed.script in (None, "Hans"):
        return "zh_Hans"
    return DEFAULT_LOCALE


def format_eta(earliest: date | None, latest: date | None, locale: str) -> str | None:
    """An estimated delivery date range in the reader's locale, or ``None`` when unknown."""
    if earliest is not None and latest is not None:
        if latest < earliest:
            raise ValueError(f"estimated delivery ends ({latest}) before it starts ({earliest})")
        if latest != earliest:
            return str(format_interval(earliest, latest, _DATE_SKELETON, locale=locale))
    single = earliest or latest
    if single is None:
        return None
    return str(format_skeleton(_DATE_SKELETON, single, locale=locale))


def make_answer_excerpt(answer: str, limit: int = 300) -> str:
    """The start of a seller's answer, cut at a word boundary when it is longer than ``limit``."""
    answer = answer.strip()
    if len(answer) <= limit:
        return answer
    cut = answer[:limit]
    # Chinese has no spaces: only back off to a space if there is one reasonably near the end.
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…"


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _check_context(kind: str, context: BuyerEmailContext) -> None:
    urls = {"tracking_page_url": context.tracking_page_url, "tracking_url": context.tracking_url}
    for name, url in urls.items():
        # A javascript: or data: link in a mail to a buyer would be an attack, not a typo.
        if url is not None and urlsplit(url).scheme.lower() not in ("http", "https"):
            raise ValueError(f"{name} must be an http(s) URL, got {url!r}")
    if kind in _PACKAGE_KINDS:
        number, count = context.package_number, context.package_count
        if number is None or count is None or not 1 <= number <= count:
            raise ValueError(
                f"a {kind} e-mail needs 1 <= package_number <= package_count, "
                f"got {number} of {count}"
            )


def _tidy_text(text: str) -> str:
    # Optional lines left out by the templates leave runs of blank lines behind.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_buyer_email(kind: str, locale: str, context: BuyerEmailContext) -> RenderedEmail:
    """Render one buyer e-mail; an unknown locale falls back to English."""
    if kind not in BUYER_EMAIL_KINDS:
        raise ValueError(
            f"unknown buyer e-mail kind {kind!r}; expected one of {', '.join(BUYER_EMAIL_KINDS)}"
        )
    _check_context(kind, context)
    locale = email_locale(locale)
    variables: dict[str, object] = dataclasses.asdict(context)
    variables["eta"] = format_eta(context.eta_earliest, context.eta_latest, locale)
    env = _environment()
    text_template = env.get_template(f"{locale}/{kind}.txt")
    subject_block = text_template.blocks["subject"](text_template.new_context(variables))
    # Collapse whitespace: a header must be one line, and templates wrap long subjects.
    subject = " ".join("".join(subject_block).split())
    variables["subject"] = subject
    return RenderedEmail(
        subject=subject,
        text=_tidy_text(text_template.render(variables)),
        html=env.get_template(f"{locale}/{kind}.html").render(variables),
    )
