"""Running the API: one process, or several sharing one listening socket.

Several processes are forked from this one after the socket is bound. The socket is made here with
an explicit ``IPPROTO_TCP`` so asyncio sets ``TCP_NODELAY`` on every connection: uvicorn's own
multi-process mode re-creates the socket in each child without its protocol number, asyncio then
leaves Nagle's algorithm on, and every keep-alive response waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from types import FrameType

import uvicorn

from vigil.settings import Settings

__all__ = ["serve"]


def _child(settings: Settings, sock: socket.socket) -> None:
    from vigil.api.app import create_app

    config = uvicorn.Config(create_app(settings), log_level="info")
    uvicorn.Server(config).run(sockets=[sock])


def serve(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve the API on ``host:port`` with ``workers`` processes (each builds or loads its index)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    if workers <= 1:
        _child(settings, sock)
        return
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_child, args=(settings, sock), daemon=False) for _ in range(workers)]
    for child in children:
        child.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        for child in children:
            if child.is_alive():
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.join()
