"""Inquiries against a real database (SQLite file and PostgreSQL): the buyer opens through the
tracking token, the seller answers; audit, outbox, version checks, overdue list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from seed import import_order, seed_shop
from splitship.adapters.db import tables as t
from splitship.bootstrap import App
from splitship.domain.errors import InvalidTransition, NotFound, VersionConflict
from splitship.domain.inquiry import MAX_ACTIVE_PER_ORDER, TooManyInquiries
from splitship.services import inquiries, shops, splitting
from splitship.services.splitting import PackageSpec

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    c = Clock()
    app.clock = c
    return c


def order_with_token(
    app: App, shop_id: str = "shop-a", external_id: str = "T-1"
) -> tuple[str, str]:
    seed_shop(app, shop_id)
    oid = import_order(app, shop_id, external_id)
    with app.uow() as uow:
        return oid, uow.orders.get(shop_id, oid).tracking_token


def outbox(app: App) -> list[tuple[str, dict[str, object]]]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.outbox.c.name, t.outbox.c.payload).order_by(t.outbox.c.seq))
        return [(r.name, r.payload) for r in rows]


def test_buyer_opens_seller_answers_buyer_sees_the_thread(app: App, clock: Clock) -> None:
    oid, token = order_with_token(app)
    opened = inquiries.open_inquiry(app.uow(), token, "where_is_my_package", "Where is it?")
    assert opened.reply_by == T0 + timedelta(hours=24)
    clock.now = T0 + timedelta(hours=3)
    answered = inquiries.answer_inquiry(app.uow("api:sk_test"), "shop-a", opened.id, "Tomorrow.")
    assert answered.status.value == "answered" and answered.version == 2
    found = inquiries.get_inquiry(app.uow(), "shop-a", opened.id)
    assert found.external_id == "T-1"
    assert [(m.author.value, m.body) for m in found.inquiry.messages] == [
        ("buyer", "Where is it?"),
        ("seller", "Tomorrow."),
    ]
    names = [n for n, _ in outbox(app) if n.startswith("inquiry.")]
    assert names == ["inquiry.opened", "inquiry.answered"]
    answered_payload = next(p for n, p in outbox(app) if n == "inquiry.answered")
    assert answered_payload["answer"] == "Tomorrow."
    assert answered_payload["inquiry_id"] == opened.id and answered_payload["order_id"] == oid
    with app.uow() as uow:
        trail = [(a.actor, a.action) for a in uow.audit.for_order("shop-a", oid)]
    assert ("buyer", "inquiry.opened") in trail
    assert ("api:sk_test", "inquiry.answered") in trail


def test_inquiry_about_one_package_must_name_a_package_of_that_order(app: App) -> None:
    oid, token = order_with_token(app)
    order = splitting.split_order(
        app.uow(), "shop-a", oid, [PackageSpec({"L1": 3}, warehouse_id="SZ", channel_id="post")]
    )
    pid = order.packages[0].id
    inq = inquiries.open_inquiry(app.uow(), token, "damaged", "Broken mug", package_id=pid)
    assert inquiries.get_inquiry(app.uow(), "shop-a", inq.id).package_number == 1
    _, other_token = order_with_token(app, "shop-b", "T-9")
    with pytest.raises(NotFound):
        inquiries.open_inquiry(app.uow(), other_token, "damaged", "Broken", package_id=pid)


def test_unknown_token_and_another_shops_inquiry_are_not_found(app: App) -> None:
    _, token = order_with_token(app)
    inq = inquiries.open_inquiry(app.uow(), token, "late", "Late!")
    with pytest.raises(NotFound):
        inquiries.open_inquiry(app.uow(), "x" * 32, "late", "Late!")
    shops.create_shop(app.uow(), "Other", shop_id="shop-b")
    with pytest.raises(NotFound):
        inquiries.answer_inquiry(app.uow(), "shop-b", inq.id, "Mine now")
    with pytest.raises(NotFound):
        inquiries.get_inquiry(app.uow(), "shop-b", inq.id)
    assert inquiries.list_inquiries(app.uow(), "shop-b") == []


def test_overdue_lists_open_inquiries_past_reply_by_and_shop_hours_apply(
    app: App, clock: Clock
) -> None:
    _, token = order_with_token(app)
    shops.update_settings(app.uow(), "shop-a", {"inquiry_reply_hours": 4})
    late = inquiries.open_inquiry(app.uow(), token, "late", "Late!")
    clock.now = T0 + timedelta(hours=1)
    fresh = inquiries.open_inquiry(app.uow(), token, "other", "Gift wrap?")
    answered = inquiries.open_inquiry(app.uow(), token, "wrong_item", "Wrong colour")
    inquiries.answer_inquiry(app.uow(), "shop-a", answered.id, "Sorry, sending another.")
    clock.now = T0 + timedelta(hours=4, minutes=30)
    overdue = inquiries.list_inquiries(app.uow(), "shop-a", overdue=True)
    assert [i.inquiry.id for i in overdue] == [late.id]
    everything = inquiries.list_inquiries(app.uow(), "shop-a")
    assert [i.inquiry.id for i in everything][:2] == [late.id, fresh.id]  # due soonest first
    assert [
        i.inquiry.id for i in inquiries.list_inquiries(app.uow(), "shop-a", status="answered")
    ] == [answered.id]


def test_buyer_follow_up_reopens_and_resolved_takes_no_more(app: App, clock: Clock) -> None:
    _, token = order_with_token(app)
    inq = inquiries.open_inquiry(app.uow(), token, "missing_item", "One mug missing")
    inquiries.answer_inquiry(app.uow(), "shop-a", inq.id, "Checking.")
    clock.now = T0 + timedelta(days=1)
    again = inquiries.add_buyer_message(app.uow(), token, inq.id, "Any news?")
    assert again.status.value == "open" and again.reply_by == clock.now + timedelta(hours=24)
    inquiries.resolve_inquiry(app.uow(), "shop-a", inq.id)
    with pytest.raises(InvalidTransition):
        inquiries.add_buyer_message(app.uow(), token, inq.id, "thanks")
    with pytest.raises(InvalidTransition):
        inquiries.close_inquiry(app.uow(), "shop-a", inq.id)


def test_a_stale_version_is_refused_and_nothing_is_written(app: App) -> None:
    _, token = order_with_token(app)
    inq = inquiries.open_inquiry(app.uow(), token, "late", "Late!")
    inquiries.answer_inquiry(app.uow(), "shop-a", inq.id, "Soon.", expected_version=1)
    before = outbox(app)
    with pytest.raises(VersionConflict):
        inquiries.answer_inquiry(app.uow(), "shop-a", inq.id, "Again.", expected_version=1)
    assert outbox(app) == before


def test_two_writers_on_one_inquiry_one_loses_the_race(app: App) -> None:
    _, token = order_with_token(app)
    inq = inquiries.open_inquiry(app.uow(), token, "late", "Late!")
    with app.uow() as first:
        a = first.inquiries.get("shop-a", inq.id)
        a.answer("first", T0)
        first.inquiries.save(a)
        first.commit()
    with app.uow() as second:
        # What the second writer loaded before the first committed.
        stale = replace(a, version=1, events=[], audit=[])
        with pytest.raises(VersionConflict):
            second.inquiries.save(stale)


def test_one_order_cannot_flood_the_seller_with_inquiries(app: App) -> None:
    _, token = order_with_token(app)
    for i in range(MAX_ACTIVE_PER_ORDER):
        inquiries.open_inquiry(app.uow(), token, "other", f"question {i}")
    with pytest.raises(TooManyInquiries):
        inquiries.open_inquiry(app.uow(), token, "other", "one more")
