"""How `waymark serve` runs uvicorn: as `uvicorn.run` does, with a listening socket whose connections get
`TCP_NODELAY` when several workers share it.

With `--workers` (or `--reload`), uvicorn binds the socket itself and hands it to each worker; it creates that
socket without saying it is TCP (protocol 0), accepted connections inherit that, and asyncio only turns Nagle's
algorithm off for a socket that says it is TCP. Every response on a kept-alive connection then waited for the
client's delayed acknowledgement: ~43 ms per request on Linux, against ~1 ms with one worker (uvicorn issue
3149). `TcpConfig` binds the same socket and names its protocol.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import ChangeReload, Multiprocess

APP = "api.app:create_app"


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
