"""The seller's side of tracking over HTTP: carrier events (JSON and CSV), buyer notes, and
inquiries (list, overdue, answer, resolve, close), each scoped to the calling shop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_support import assert_problem
from fastapi.testclient import TestClient

from e2e.tracking_seed import SHIP_TIME, TrackedOrder, three_package_order
from splitship.bootstrap import App
from splitship.services import inquiries

V1 = "/api/v1"
NOW = SHIP_TIME + timedelta(days=4)


class Clock:
    now = NOW

    def __call__(self) -> object:
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    c = Clock()
    app.clock = c  # type: ignore[assignment]
    return c


@pytest.fixture
def tracked(app: App, clock: Clock) -> TrackedOrder:
    return three_package_order(app)


def test_events_are_idempotent_by_event_id_and_report_each_result(
    api: TestClient, tracked: TrackedOrder
) -> None:
    _, p2, p3 = tracked.package_ids
    body = {
        "events": [
            {
                "event_id": "ext-9",
                "status": "delivered",
                "occurred_at": (SHIP_TIME + timedelta(days=3, hours=5)).isoformat(),
                "tracking_number": "1Z999AA10123456793",
                "location": "Austin, TX",
            },
            {
                "event_id": "ext-10",
                "status": "in_transit",
                "occurred_at": NOW.isoformat(),
                "package_id": p3,
            },
        ]
    }
    first = api.post(f"{V1}/tracking-events", json=body, headers=tracked.shop.headers)
    assert first.status_code == 200, first.text
    out = first.json()
    assert (out["recorded"], out["duplicates"], out["failed"]) == (1, 0, 1)
    assert out["results"][0]["package_id"] == p2
    assert out["results"][0]["order_status"] == "partially_shipped"
    assert out["results"][1]["code"] == "invalid_transition"
    again = api.post(f"{V1}/tracking-events", json=body, headers=tracked.shop.headers).json()
    assert (again["recorded"], again["duplicates"]) == (0, 1)
    assert again["results"][0]["applied"] is False


def test_events_need_a_time_zone_and_an_api_key(api: TestClient, tracked: TrackedOrder) -> None:
    naive = {
        "events": [
            {
                "event_id": "e",
                "status": "delivered",
                "occurred_at": "2026-11-27T10:00:00",
                "package_id": "x",
            }
        ]
    }
    assert_problem(
        api.post(f"{V1}/tracking-events", json=naive, headers=tracked.shop.headers),
        422,
        "invalid_input",
    )
    assert_problem(api.post(f"{V1}/tracking-events", json=naive), 401, "unauthorized")


def test_csv_upload_records_events_and_reports_bad_rows(
    api: TestClient, tracked: TrackedOrder
) -> None:
    csv_text = (
        "event_id,tracking_number,status,occurred_at,reason\n"
        f"c1,1Z999AA10123456793,exception,{(SHIP_TIME + timedelta(days=2)).isoformat()},refused\n"
        "c2,1Z999AA10123456793,delivered,not-a-time,\n"
    )
    resp = api.post(
        f"{V1}/tracking-events/import",
        content=csv_text.encode(),
        headers={**tracked.shop.headers, "Content-Type": "text/csv"},
    )
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["recorded"] == 1 and out["results"][0]["row"] == 2
    assert out["results"][0]["package_status"] == "out_for_delivery"  # older than the last event
    assert [(e["row"], e["field"]) for e in out["errors"]] == [(3, "occurred_at")]


def test_buyer_note_is_set_with_the_order_version_and_shown_to_the_buyer(
    api: TestClient, tracked: TrackedOrder
) -> None:
    p3 = tracked.package_ids[2]
    url = f"{V1}/packages/{p3}/buyer-note"
    current = api.get(f"{V1}/packages/{p3}", headers=tracked.shop.headers)
    etag = current.headers["etag"]
    resp = api.put(
        url,
        json={"buyer_note": "Back in stock on 2 Dec"},
        headers={**tracked.shop.headers, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["etag"] != etag
    assert "Back in stock on 2 Dec" in api.get(f"/t/{tracked.token}").text
    stale = api.put(
        url, json={"buyer_note": "x"}, headers={**tracked.shop.headers, "If-Match": etag}
    )
    assert_problem(stale, 409, "version_conflict")


def test_inquiries_list_overdue_answer_resolve_close(
    app: App, api: TestClient, tracked: TrackedOrder, clock: Clock
) -> None:
    h = tracked.shop.headers
    late = inquiries.open_inquiry(app.uow(), tracked.token, "late", "Where is package 2?")
    clock.now = NOW + timedelta(hours=23)
    fresh = inquiries.open_inquiry(app.uow(), tracked.token, "damaged", "Mug chipped")
    clock.now = NOW + timedelta(hours=25)
    listed = api.get(f"{V1}/inquiries", headers=h).json()["inquiries"]
    assert [i["id"] for i in listed] == [late.id, fresh.id]
    assert [i["overdue"] for i in listed] == [True, False]
    overdue = api.get(f"{V1}/inquiries", params={"overdue": "true"}, headers=h).json()
    assert [i["id"] for i in overdue["inquiries"]] == [late.id]
    detail = api.get(f"{V1}/inquiries/{late.id}", headers=h)
    assert detail.json()["order_external_id"] == "TT-1001" and detail.headers["etag"] == '"1"'
    answered = api.post(
        f"{V1}/inquiries/{late.id}/answer", json={"message": "Today!", "version": 1}, headers=h
    )
    assert answered.json()["status"] == "answered" and answered.json()["reply_by"] is None
    stale = api.post(f"{V1}/inquiries/{late.id}/resolve", json={"version": 1}, headers=h)
    assert_problem(stale, 409, "version_conflict")
    resolved = api.post(f"{V1}/inquiries/{late.id}/resolve", json={}, headers=h)
    assert resolved.json()["status"] == "resolved"
    assert_problem(
        api.post(f"{V1}/inquiries/{late.id}/answer", json={"message": "more"}, headers=h),
        409,
        "invalid_transition",
    )
    closed = api.post(f"{V1}/inquiries/{fresh.id}/close", json={}, headers=h)
    assert closed.json()["status"] == "closed"
    assert_problem(
        api.get(f"{V1}/inquiries", params={"status": "nope"}, headers=h), 422, "invalid_input"
    )


def test_another_shops_inquiries_and_packages_are_not_found(
    app: App, api: TestClient, tracked: TrackedOrder
) -> None:
    other = three_package_order(app, "TT-9")
    inq = inquiries.open_inquiry(app.uow(), tracked.token, "late", "Late")
    h = other.shop.headers
    assert api.get(f"{V1}/inquiries", headers=h).json()["inquiries"] == []
    assert_problem(api.get(f"{V1}/inquiries/{inq.id}", headers=h), 404, "not_found")
    assert_problem(
        api.post(f"{V1}/inquiries/{inq.id}/answer", json={"message": "hi"}, headers=h),
        404,
        "not_found",
    )
    assert_problem(
        api.put(
            f"{V1}/packages/{tracked.package_ids[2]}/buyer-note",
            json={"buyer_note": "x"},
            headers=h,
        ),
        404,
        "not_found",
    )
    body = {
        "events": [
            {
                "event_id": "z",
                "status": "delivered",
                "occurred_at": NOW.isoformat(),
                "package_id": tracked.package_ids[0],
            }
        ]
    }
    result = api.post(f"{V1}/tracking-events", json=body, headers=h).json()["results"][0]
    assert result["code"] == "not_found"
