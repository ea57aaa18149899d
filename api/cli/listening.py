"""How `waymark serve` runs uvicorn: as `uvicorn.run` does, with requests parsed by httptools within a bound on
their head, and a listening socket whose connections get `TCP_NODELAY` when several workers share it.

httptools (llhttp, in C) parses a request in a fraction of what h11 (pure Python, uvicorn's other parser) costs:
a server's CPU per signed-in `{ me { id } }` fell by an eighth to a third in two runs (`tests/benchmarks/README.md`).
uvicorn's h11 protocol refuses a request head that grows past its buffer; its httptools protocol buffers any head,
however large. `BoundedHttpTools` refuses one past `MAX_REQUEST_HEAD_BYTES` with 431 before buffering more of it.

With `--workers` (or `--reload`), uvicorn binds the socket itself and hands it to each worker; it creates that
socket without saying it is TCP (protocol 0), accepted connections inherit that, and asyncio only turns Nagle's
algorithm off for a socket that says it is TCP. Every response on a kept-alive connection then waited for the
client's delayed acknowledgement: ~43 ms per request on Linux, against ~1 ms with one worker (uvicorn issue
3149). `TcpConfig` binds the same socket and names its protocol.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import ChangeReload, Multiprocess

APP = "api.app:create_app"
MAX_REQUEST_HEAD_BYTES = 64 * 1024
"""The request line and headers together; the largest GET this server takes is 16 KiB of query string
(`api.graphql.view.MAX_QUERY_STRING_BYTES`), and a bearer token is a few dozen bytes."""
LINGER_SECONDS = 1.0
"""How long a refused connection stays open, its incoming bytes dropped, so that the client reads the refusal
(closing a socket with unread bytes resets the connection, and the client may lose the answer)."""
log = logging.getLogger("uvicorn.error")


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request whose head is larger than `MAX_REQUEST_HEAD_BYTES`: it
    is answered 431 with a GraphQL error body and its connection closed, before the app sees it. A head that
    keeps coming is refused as soon as the bytes received while it is incomplete pass the bound (the parser
    would otherwise keep them all until the head ends; it holds at most a read more, and a read that ended the
    request before is not counted); a complete one by its request target and headers. What the client still
    sends is dropped, for at most `LINGER_SECONDS`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._head_bytes = 0
        self._in_head = True
        """Whether the bytes arriving belong to a request head: from a connection's start, and after each
        request's body, until the next head is complete."""
        self._refused = False
        self._ended_a_request = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # dropped until the connection closes
        self._ended_a_request = False
        super().data_received(data)
        if self._in_head and not self._ended_a_request and not self.transport.is_closing():
            # these bytes left a head incomplete; those that ended a request (its body, the start of the next
            # head) are not counted
            self._head_bytes += len(data)
            if self._head_bytes > MAX_REQUEST_HEAD_BYTES:
                self._refuse_head()

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._refused:
            return
        if len(self.url) + sum(len(name) + len(value) for name, value in self.headers) > MAX_REQUEST_HEAD_BYTES:
            self._refuse_head()  # a head that came whole in fewer reads than the bound counts
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes, self._ended_a_request = True, 0, True
        if not self._refused:
            super().on_message_complete()

    def _refuse_head(self) -> None:
        log.warning("refused a request whose head is larger than %s bytes", MAX_REQUEST_HEAD_BYTES)
        message = f"the request line and headers are larger than {MAX_REQUEST_HEAD_BYTES} bytes"
        body = json.dumps({"errors": [{"message": message, "extensions": {"code": "REQUEST_REFUSED"}}]}).encode()
        head = (
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self._refused = True
        self.transport.write(head.encode() + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the answer is complete; the client's end closes or the linger ends
        asyncio.get_running_loop().call_later(LINGER_SECONDS, self.transport.close)


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            # the same descriptor, said to be TCP: `accept` gives its connections the listener's protocol
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def run(*, host: str, port: int, reload: bool, workers: int, access_log: bool = True) -> None:
    config = TcpConfig(
        APP,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        access_log=access_log,
        log_level="info",
        http=BoundedHttpTools,
    )
    server = uvicorn.Server(config)
    try:
        if config.should_reload:
            ChangeReload(config, target=server.run, sockets=[config.bind_socket()]).run()
        elif config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and not config.should_reload and config.workers == 1:
        sys.exit(STARTUP_FAILURE)  # as `uvicorn.run`
