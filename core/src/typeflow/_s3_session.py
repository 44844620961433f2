"""S3 requests held to the I/O deadline of the typeflow call that made them.

fsspec's S3 file system sends its requests through aiobotocore's aiohttp
session. :func:`bounded_http_session` is that session with two changes: every
request waits on the active :mod:`typeflow.deadlines` clock (each byte moved
earns time, so a large transfer at a steady rate is never cut off), and a
response body is read in bounded chunks, so a server trickling bytes cannot
hold a read past the deadline. ``storage`` installs it for ``s3://`` storage.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from typeflow import deadlines

__all__ = ["bounded_http_session"]


@functools.cache
def bounded_http_session() -> Any:
    """aiobotocore's HTTP session without ``Expect: 100-continue``, or None where it cannot be set.

    botocore sends S3 uploads with ``Expect: 100-continue``, and aiohttp waits
    for the ``100 Continue`` answer with no timeout at all: an endpoint that
    accepts the connection and then says nothing hangs a write for ever. The
    header is not signed, so dropping it leaves the request valid and puts the
    wait under ``read_timeout`` like any other.
    """
    try:
        from aiobotocore.config import AioConfig
        from aiobotocore.httpsession import AIOHTTPSession
    except ImportError:
        return None
    if "http_session_cls" not in inspect.signature(AioConfig.__init__).parameters:
        return None

    class BoundedAIOHTTPSession(AIOHTTPSession):  # type: ignore[misc]
        async def send(self, request: Any) -> Any:
            if "Expect" in request.headers:
                del request.headers["Expect"]
            deadline = deadlines.active()
            if deadline is None:  # a request typeflow did not make (or with the deadline off)
                return await super().send(request)
            # the request, its body and the answer's headers within the deadline; the answer's body below
            response = await deadline.bound(super().send(request))
            deadline.clock.earn(_body_size(request), transport=True)  # an upload's part moved: more time for the next
            raw: Any = getattr(response, "raw", None)
            content = getattr(raw, "content", None)
            if content is not None and hasattr(content, "read"):
                raw.content = _BoundedContent(content, deadline)
            return response

    return BoundedAIOHTTPSession


#: bytes one bounded read of a response body asks for at a time
_CHUNK = 8 << 20


def _body_size(request: Any) -> int:
    """The size of an HTTP request's body (0 when it is a stream of unknown size)."""
    body = getattr(request, "body", None)
    try:
        return len(body) if body is not None else 0
    except TypeError:
        return 0


class _BoundedContent:
    """An aiohttp response body whose reads end at the deadline of the typeflow call that asked for it.

    aiohttp's own ``sock_read`` timeout restarts with every byte; a server
    sending one byte every few seconds would hold a streamed read for ever.
    """

    def __init__(self, content: Any, deadline: Any) -> None:
        self._content = content
        self._deadline = deadline

    async def read(self, n: int = -1) -> bytes:
        # in chunks: each one moved extends the deadline (a large body is not a slow server)
        parts: list[bytes] = []
        want = -1 if n is None else n
        while want != 0:
            data = await self._got(self._content.read(_CHUNK if want < 0 else min(_CHUNK, want)))
            if not data:
                break
            parts.append(data)
            if want > 0:
                want -= len(data)
        return b"".join(parts)

    async def readany(self) -> bytes:
        data: bytes = await self._got(self._content.readany())
        return data

    async def readexactly(self, n: int) -> bytes:
        data: bytes = await self._got(self._content.readexactly(n))
        return data

    async def readline(self) -> bytes:
        data: bytes = await self._got(self._content.readline())
        return data

    async def readchunk(self) -> tuple[bytes, bool]:
        chunk: tuple[bytes, bool] = await self._deadline.bound(self._content.readchunk())
        self._deadline.clock.earn(len(chunk[0]), transport=True)
        return chunk

    async def _got(self, awaitable: Any) -> bytes:
        data: bytes = await self._deadline.bound(awaitable)
        self._deadline.clock.earn(len(data), transport=True)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._content, name)
