"""A tiny loopback server for ONE fault the fake Twenty cannot produce: a create that the server
fully processes (the record exists) before the connection dies without an answer. The fake's
``drop_next`` cuts the connection before processing; from the client's side both look the same,
but only this one proves that a processed create is not repeated. Nothing else lives here."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import uvicorn
from starlette.requests import Request
from starlette.types import Receive, Scope, Send


class ProcessThenDropServer:
    def __init__(self) -> None:
        self.created: list[dict] = []
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _app(self):  # type: ignore[no-untyped-def]
        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return
            request = Request(scope, receive)
            body = await request.json()
            self.created.append({"id": str(uuid.uuid4()), **body})  # the write happened
            await send(
                {
                    "type": "http.response.start",
                    "status": 201,
                    "headers": [(b"content-length", b"1000"), (b"content-type", b"application/json")],
                }
            )
            raise ConnectionAbortedError("process-then-drop fault")

        return asgi

    def __enter__(self) -> ProcessThenDropServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self._app(), log_level="critical", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("ad-hoc server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
