"""serve(): the emulators over real HTTP on the loopback interface."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

import tracksync.testing
from tracksync.testing import EmulatorServer, PayPalEmulator, StripeEmulator, serve

ORDER_ID = "5O190127TN364715T"
CAPTURE_ID = "8MC585209K746392H"
INTENT_ID = "pi_3MtwBwLkdIwHu7ix28a3tqPa"


def emulator_threads() -> list[str]:
    return [
        thread.name
        for thread in threading.enumerate()
        if thread.name.startswith("tracksync-emulator")
    ]


def test_paypal_over_http() -> None:
    emulator = PayPalEmulator()
    emulator.add_order(ORDER_ID, captures={CAPTURE_ID: "COMPLETED"})
    with serve(emulator) as server, httpx.Client(base_url=server.url) as client:
        token = client.post(
            "/v1/oauth2/token",
            auth=("emulator-client-id", "emulator-client-secret"),
            data={"grant_type": "client_credentials"},
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        created = client.post(
            f"/v2/checkout/orders/{ORDER_ID}/track",
            json={"capture_id": CAPTURE_ID, "tracking_number": "443844607820", "carrier": "FEDEX"},
        )
        tracker = created.json()["purchase_units"][0]["shipping"]["trackers"][0]
        update_link = tracker["links"][1]["href"]
        cancelled = client.patch(
            update_link, json=[{"op": "replace", "path": "/status", "value": "CANCELLED"}]
        )
    assert 201 == created.status_code
    assert update_link.startswith(f"{server.url}/v2/checkout/orders/{ORDER_ID}/trackers/")
    assert 204 == cancelled.status_code
    assert b"" == cancelled.content
    assert "CANCELLED" == emulator.trackers(ORDER_ID)[0]["status"]


def test_stripe_over_http() -> None:
    emulator = StripeEmulator()
    emulator.add_payment_intent(INTENT_ID)
    headers = {"Authorization": "Bearer sk_test_emulator", "Idempotency-Key": "key-1"}
    form = {
        "shipping[name]": "Jenny Rosen",
        "shipping[address][country]": "US",
        "shipping[tracking_number]": "1Z999",
    }
    with serve(emulator) as server, httpx.Client(base_url=server.url, headers=headers) as client:
        first = client.post(f"/v1/payment_intents/{INTENT_ID}", data=form)
        replay = client.post(f"/v1/payment_intents/{INTENT_ID}", data=form)
    assert 200 == first.status_code
    assert "1Z999" == first.json()["shipping"]["tracking_number"]
    assert first.headers["Request-Id"].startswith("req_")
    assert "true" == replay.headers["Idempotent-Replayed"]


def test_server_url() -> None:
    with serve(StripeEmulator()) as server:
        assert f"http://127.0.0.1:{server.port}" == server.url
        assert 0 < server.port


def test_server_stops_on_exit() -> None:
    with serve(StripeEmulator()) as server:
        assert server.running
        assert [f"tracksync-emulator-{server.port}"] == emulator_threads()
    assert not server.running
    assert [] == emulator_threads()


def test_server_refuses_connections_after_exit() -> None:
    with serve(StripeEmulator()) as server:
        url = server.url
    with httpx.Client(base_url=url) as client, pytest.raises(httpx.ConnectError):
        client.get("/v1/payment_intents/pi_1")


def test_server_stops_after_error() -> None:
    with pytest.raises(RuntimeError), serve(StripeEmulator()) as server:
        raise RuntimeError("test body failed")
    assert not server.running


def test_server_request_log() -> None:
    emulator = StripeEmulator()
    with serve(emulator) as server, httpx.Client(base_url=server.url) as client:
        client.get("/v1/payment_intents/pi_1?color=red")
    assert ["/v1/payment_intents/pi_1"] == [request.url.path for request in emulator.requests]
    assert b"color=red" == emulator.requests[0].url.query


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::", ""])
def test_non_loopback_host_rejected(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        serve(StripeEmulator(), host=host)


def test_port_out_of_range() -> None:
    with pytest.raises(ValueError, match="port"):
        serve(StripeEmulator(), port=70000)


def test_localhost_accepted() -> None:
    emulator = StripeEmulator()
    emulator.add_payment_intent(INTENT_ID)
    headers = {"Authorization": "Bearer sk_test_emulator"}
    with (
        serve(emulator, host="localhost") as server,
        httpx.Client(base_url=server.url, headers=headers) as client,
    ):
        response = client.get(f"/v1/payment_intents/{INTENT_ID}")
    assert 200 == response.status_code


def _ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback_available(), reason="no IPv6 loopback on this machine")
def test_ipv6_loopback() -> None:
    with serve(StripeEmulator(), host="::1") as server, httpx.Client(base_url=server.url) as client:
        response = client.get("/v1/payment_intents/pi_1")
    assert server.url.startswith("http://[::1]:")
    assert 401 == response.status_code


def test_no_request_lines_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with serve(StripeEmulator()) as server, httpx.Client(base_url=server.url) as client:
        client.get("/v1/payment_intents/pi_1")
    assert "" == capfd.readouterr().err


def test_concurrent_requests() -> None:
    emulator = PayPalEmulator()
    emulator.add_order(ORDER_ID, captures={CAPTURE_ID: "COMPLETED"})
    statuses: list[int] = []
    with serve(emulator) as server:

        def fetch() -> None:
            with httpx.Client(base_url=server.url) as client:
                statuses.append(client.get(f"/v2/checkout/orders/{ORDER_ID}").status_code)

        threads = [threading.Thread(target=fetch) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [401] * 10 == statuses
    assert 10 == len(emulator.requests)


class _BrokenTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("state is corrupt")


def test_emulator_failure_answers_500(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="tracksync.testing"),
        serve(_BrokenTransport()) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        response = client.get("/anything")
    assert 500 == response.status_code
    assert ["The emulator failed on GET /anything"] == [
        record.getMessage() for record in caplog.records
    ]


def test_server_repr() -> None:
    with serve(StripeEmulator()) as server:
        assert f"EmulatorServer(url='{server.url}', running=True)" == repr(server)


def test_public_names_sorted() -> None:
    assert sorted(tracksync.testing.__all__) == tracksync.testing.__all__


def test_public_names_exported() -> None:
    missing = [name for name in tracksync.testing.__all__ if not hasattr(tracksync.testing, name)]
    assert [] == missing


def test_serve_yields_emulator_server() -> None:
    with serve(StripeEmulator()) as server:
        assert isinstance(server, EmulatorServer)


def test_chunked_body_rejected() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"shipping="

    with serve(StripeEmulator()) as server, httpx.Client(base_url=server.url) as client:
        response = client.post("/v1/payment_intents/pi_1", content=chunks())
    assert 411 == response.status_code
