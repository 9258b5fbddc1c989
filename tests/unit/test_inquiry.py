"""The inquiry aggregate: lifecycle, reply-by time, limits and what it records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from builders import NOW
from splitship.domain import events as ev
from splitship.domain.errors import InvalidInput, InvalidTransition
from splitship.domain.inquiry import (
    MAX_MESSAGE_CHARS,
    MAX_MESSAGES,
    Author,
    Inquiry,
    InquiryCategory,
    InquiryStatus,
    TooManyInquiries,
    clean_message,
    parse_category,
)


def opened(package_id: str | None = "p1") -> Inquiry:
    return Inquiry.open(
        "i1", "s1", "o1", package_id, InquiryCategory.WHERE_IS_MY_PACKAGE, " Where? ", NOW, 24
    )


def test_opening_sets_reply_by_from_the_shop_hours_and_records_it() -> None:
    inq = opened()
    assert inq.status is InquiryStatus.OPEN
    assert inq.reply_by == NOW + timedelta(hours=24)
    assert [(m.author, m.body) for m in inq.messages] == [(Author.BUYER, "Where?")]
    assert [a.action for a in inq.audit] == ["inquiry.opened"]
    (event,) = inq.events
    assert event.name == ev.INQUIRY_OPENED
    assert (event.order_id, event.package_id, event.data["inquiry_id"]) == ("o1", "p1", "i1")


def test_answer_settles_the_reply_by_and_emits_answered_with_the_text() -> None:
    inq = opened()
    inq.answer("It left Shenzhen today.", NOW + timedelta(hours=2))
    assert inq.status is InquiryStatus.ANSWERED and inq.reply_by is None
    assert inq.events[-1].name == ev.INQUIRY_ANSWERED
    assert inq.events[-1].data["answer"] == "It left Shenzhen today."
    assert inq.audit[-1].before is not None and inq.audit[-1].before["status"] == "open"


def test_buyer_writing_again_reopens_with_a_new_reply_by() -> None:
    inq = opened()
    inq.answer("Tomorrow.", NOW + timedelta(hours=1))
    later = NOW + timedelta(days=3)
    inq.add_buyer_message("Still nothing.", later, 12)
    assert inq.status is InquiryStatus.OPEN
    assert inq.reply_by == later + timedelta(hours=12)
    assert [m.author for m in inq.messages] == [Author.BUYER, Author.SELLER, Author.BUYER]


@pytest.mark.parametrize("finish", ["resolve", "close"])
def test_resolved_or_closed_inquiries_take_no_more_changes(finish: str) -> None:
    inq = opened()
    getattr(inq, finish)()
    assert inq.status.value == f"{finish}d" and inq.reply_by is None
    with pytest.raises(InvalidTransition, match="open a new inquiry"):
        inq.answer("late", NOW)
    with pytest.raises(InvalidTransition):
        inq.add_buyer_message("hello?", NOW, 24)
    with pytest.raises(InvalidTransition):
        inq.resolve()


def test_overdue_only_while_open_and_past_reply_by() -> None:
    inq = opened()
    assert not inq.is_overdue(NOW + timedelta(hours=24))
    assert inq.is_overdue(NOW + timedelta(hours=24, seconds=1))
    inq.answer("On its way.", NOW + timedelta(hours=30))
    assert not inq.is_overdue(NOW + timedelta(days=10))


def test_messages_are_trimmed_stripped_of_control_characters_and_length_limited() -> None:
    assert clean_message(" a\x00b\r\nc\u202e ") == "ab\nc"
    with pytest.raises(InvalidInput, match="empty"):
        clean_message(" \n\t ")
    with pytest.raises(InvalidInput, match=f"at most {MAX_MESSAGE_CHARS}"):
        clean_message("x" * (MAX_MESSAGE_CHARS + 1))
    assert len(clean_message("字" * MAX_MESSAGE_CHARS)) == MAX_MESSAGE_CHARS


def test_hostile_markup_is_stored_as_text_not_changed() -> None:
    # Escaping is the renderer's job; the stored text is what the buyer typed.
    assert clean_message("<script>alert(1)</script>") == "<script>alert(1)</script>"


def test_a_thread_holds_a_bounded_number_of_messages() -> None:
    inq = opened()
    for i in range(MAX_MESSAGES - 1):
        inq.add_buyer_message(f"m{i}", NOW, 24)
    with pytest.raises(TooManyInquiries):
        inq.add_buyer_message("one more", NOW, 24)


def test_unknown_category_names_the_allowed_ones() -> None:
    assert parse_category(" Damaged ") is InquiryCategory.DAMAGED
    with pytest.raises(InvalidInput, match="where_is_my_package") as err:
        parse_category("angry")
    assert err.value.field == "category"
