"""The notifications API: endpoints (secret shown once), buyer e-mail switches, the message log."""

from __future__ import annotations

import socket
from datetime import timedelta

from api_support import assert_problem
from fastapi.testclient import TestClient

from factories import ShopFixture
from splitship.bootstrap import App
from splitship.domain.events import DomainEvent
from splitship.entrypoints.worker import DispatchPolicy, run_once
from splitship.services import shops

ENDPOINTS = "/api/v1/webhook-endpoints"
MESSAGES = "/api/v1/notifications/messages"


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"  # nothing listens: every attempt is retried


def test_endpoint_lifecycle_and_message_log(
    app: App, client_a: TestClient, client_b: TestClient, shop_a: ShopFixture
) -> None:
    url = closed_port_url()
    refused = client_a.post(ENDPOINTS, json={"url": url, "events": ["package.exception"]})
    assert "loopback" in assert_problem(refused, 422, "invalid_input")["detail"]
    shops.update_settings(app.uow(), shop_a.shop_id, {"allow_private_webhooks": True})

    created = client_a.post(ENDPOINTS, json={"url": url, "events": ["package.exception"]})

    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    secret, endpoint_id = body["secret"], body["id"]
    assert secret.startswith("whsec_") and body["active"] is True
    shown = client_a.get(f"{ENDPOINTS}/{endpoint_id}").json()
    assert "secret" not in shown and secret not in client_a.get(ENDPOINTS).text
    assert_problem(client_b.get(f"{ENDPOINTS}/{endpoint_id}"), 404, "not_found")

    rotated = client_a.post(f"{ENDPOINTS}/{endpoint_id}/rotate-secret", json={"keep_old_hours": 2})
    assert rotated.json()["secret"] not in (secret, None)
    assert rotated.json()["previous_secret_until"] is not None

    with app.uow() as uow:
        uow.publish(shop_a.shop_id, DomainEvent("package.exception", "o-1", None, {"n": 1}))
        uow.commit()
    run_once(app, DispatchPolicy(timeout_s=1, lease=timedelta(seconds=10)))

    pending = client_a.get(MESSAGES, params={"status": "pending", "channel": "webhook"}).json()
    assert pending["total"] == 1
    [message] = pending["items"]
    assert message["event"] == "package.exception" and message["attempts"] == 1
    log = client_a.get(f"{ENDPOINTS}/{endpoint_id}/deliveries").json()["items"]
    assert [a["outcome"] for a in log[0]["attempt_log"]] == ["retry"]
    assert client_b.get(MESSAGES).json()["total"] == 0
    assert_problem(client_b.post(f"{MESSAGES}/{message['id']}/replay"), 404, "not_found")
    assert client_a.post(f"{MESSAGES}/{message['id']}/replay").json()["status"] == "pending"

    disabled = client_a.post(f"{ENDPOINTS}/{endpoint_id}/disable").json()
    assert disabled["active"] is False and disabled["disabled_reason"]
    failed = client_a.get(MESSAGES, params={"status": "failed"}).json()["items"]
    assert [m["id"] for m in failed] == [message["id"]]
    assert client_a.post(f"{ENDPOINTS}/{endpoint_id}/enable").json()["active"] is True
    assert client_a.delete(f"{ENDPOINTS}/{endpoint_id}").status_code == 204
    assert_problem(client_a.get(f"{ENDPOINTS}/{endpoint_id}"), 404, "not_found")


def test_bad_endpoint_input_is_refused_with_the_field(client_a: TestClient) -> None:
    unknown = client_a.post(
        ENDPOINTS, json={"url": "http://127.0.0.1/h", "events": ["package.teleported"]}
    )
    assert assert_problem(unknown, 422, "invalid_input")["field"] in ("events", "url")
    empty = client_a.post(ENDPOINTS, json={"url": "http://127.0.0.1/h", "events": []})
    assert_problem(empty, 422, "invalid_input")


def test_buyer_email_kinds_switch_on_and_off(client_a: TestClient, client_b: TestClient) -> None:
    assert set(client_a.get("/api/v1/notifications/kinds").json()["kinds"].values()) == {True}

    changed = client_a.patch("/api/v1/notifications/kinds", json={"package_shipped": False})

    assert changed.json()["kinds"]["package_shipped"] is False
    assert changed.json()["kinds"]["order_shipped"] is True
    assert client_b.get("/api/v1/notifications/kinds").json()["kinds"]["package_shipped"] is True
    bogus = client_a.patch("/api/v1/notifications/kinds", json={"package_lost": True})
    assert_problem(bogus, 422, "invalid_input")
