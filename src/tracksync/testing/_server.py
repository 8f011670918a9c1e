"""Serve an emulator over real HTTP on the loopback interface, on a background thread."""

from __future__ import annotations

import contextlib
import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx

__all__ = ["EmulatorServer", "serve"]

logger = logging.getLogger("tracksync.testing")

#: Hosts that serve() accepts, and the address each one binds. The emulators check
#: credentials only loosely, so they must never be reachable from another machine.
_LOOPBACK_HOSTS = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "::1"}

#: Headers that describe one HTTP connection or its message framing. The server sets its own.
_HOP_BY_HOP = frozenset(
    {"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"}
)


class EmulatorServer:
    """A running emulator server: where it listens and whether its thread still runs."""

    def __init__(self, host: str, port: int, thread: threading.Thread) -> None:
        self.host = host
        self.port = port
        self._thread = thread

    @property
    def url(self) -> str:
        """The base URL to give an HTTP client, such as ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread.is_alive()

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self.url!r}, running={self.running})"


def serve(
    emulator: httpx.BaseTransport, *, host: str = "127.0.0.1", port: int = 0
) -> contextlib.AbstractContextManager[EmulatorServer]:
    """Serve ``emulator`` over HTTP until the ``with`` block ends.

    Each incoming request becomes an :class:`httpx.Request` for ``emulator.handle_request``
    and its response is sent back. Port 0 picks a free port, which the server's ``url`` and
    ``port`` show. On exit the server stops, its thread is joined and its socket closed.

    Raises:
        ValueError: ``host`` is not 127.0.0.1, localhost or ::1.
    """
    bind_host = _LOOPBACK_HOSTS.get(host)
    if bind_host is None:
        raise ValueError(
            f"serve() binds only the loopback interface (127.0.0.1, localhost or ::1), not "
            f"{host!r}: the emulators have no real authentication."
        )
    if not 0 <= port <= 65535:
        raise ValueError(f"port must be 0 to 65535, not {port}.")
    return _serving(emulator, bind_host, port)


@contextlib.contextmanager
def _serving(emulator: httpx.BaseTransport, host: str, port: int) -> Iterator[EmulatorServer]:
    server_class = _IPv6Server if ":" in host else _IPv4Server
    server = server_class((host, port), _make_handler(emulator))
    try:
        bound_port = int(server.server_address[1])
        name = f"tracksync-emulator-{bound_port}"
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        thread.start()
        running = EmulatorServer(host, bound_port, thread)
        logger.info("Serving %s at %s", type(emulator).__name__, running.url)
        try:
            yield running
        finally:
            server.shutdown()
            thread.join()
            logger.info("Stopped serving %s at %s", type(emulator).__name__, running.url)
    finally:
        server.server_close()


class _IPv4Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _IPv6Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    address_family = socket.AF_INET6


def _make_handler(emulator: httpx.BaseTransport) -> type[http.server.BaseHTTPRequestHandler]:
    """Return a request handler class that forwards every request to ``emulator``."""

    class _Handler(http.server.BaseHTTPRequestHandler):
        server_version = "tracksync-emulator"

        def log_message(self, format: str, *args: Any) -> None:
            """Write nothing: http.server would print one line per request to stderr."""

        def _forward(self) -> None:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                logger.warning(
                    "Rejected %s %s: chunked request bodies are not supported.",
                    self.command,
                    self.path,
                )
                message = b"Chunked request bodies are not supported. Send Content-Length."
                self._send(411, [("Content-Type", "text/plain")], message)
                return
            try:
                request = self._to_httpx_request()
                response = emulator.handle_request(request)
                content = response.read()
            except httpx.TransportError:
                # An injected connection fault: hang up without an answer, as a broken
                # connection would.
                self.close_connection = True
                return
            except Exception:
                logger.exception("The emulator failed on %s %s", self.command, self.path)
                self._send(
                    500, [("Content-Type", "text/plain")], b"The emulator failed; see the log."
                )
                return
            self._send(response.status_code, response.headers.multi_items(), content)

        def _to_httpx_request(self) -> httpx.Request:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            host, port = self.connection.getsockname()[:2]
            authority = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
            headers = [
                (name, value)
                for name, value in self.headers.items()
                if name.lower() not in _HOP_BY_HOP
            ]
            return httpx.Request(
                self.command, f"http://{authority}{self.path}", headers=headers, content=body
            )

        def _send(self, status_code: int, headers: list[tuple[str, str]], content: bytes) -> None:
            self.send_response(status_code)
            for name, value in headers:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            if status_code in {204, 304}:
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    return _Handler
