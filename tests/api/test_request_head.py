"""The server parses requests with httptools within a bound on the request head (`api.cli.listening`): a head
past `MAX_REQUEST_HEAD_BYTES` is answered 431 with a GraphQL error body and its connection closed, before the
rest of it is read; a head within the bound, and every other client, are answered as before."""

from __future__ import annotations

import asyncio
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.cli.listening import MAX_REQUEST_HEAD_BYTES
from tests.api.http_server import serving


async def _ok(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"header": len(request.headers.get("x-filler", "")), "body": len(body)})


APP = Starlette(routes=[Route("/", _ok, methods=["GET", "POST"])])


def _request(filler: int) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: test\r\nX-Filler: " + b"a" * filler + b"\r\n\r\n"


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode()
    status_line, *header_lines = head.strip().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    body = await reader.readexactly(int(headers["content-length"]))
    return int(status_line.split()[1]), headers, body


async def test_a_head_within_the_bound_is_answered_and_one_past_it_is_refused_with_431() -> None:
    async with serving(APP) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))

        # when: a request whose head is near the bound, then on the same connection one past it
        writer.write(_request(MAX_REQUEST_HEAD_BYTES - 1024))
        within = await _answer(reader)
        writer.write(_request(MAX_REQUEST_HEAD_BYTES * 4))
        refused = await _answer(reader)
        closed = await asyncio.wait_for(reader.read(), 10)
        writer.close()

        # then: the first is answered; the second refused with a GraphQL error body, and its connection closed
        assert within[0] == 200
        assert json.loads(within[2]) == {"header": MAX_REQUEST_HEAD_BYTES - 1024, "body": 0}
        assert refused[0] == 431
        assert refused[1]["content-type"] == "application/json"
        assert refused[1]["connection"] == "close"
        [error] = json.loads(refused[2])["errors"]
        assert str(MAX_REQUEST_HEAD_BYTES) in error["message"]
        assert error["extensions"]["code"] == "REQUEST_REFUSED"
        assert closed == b""


async def test_a_head_that_keeps_coming_is_refused_before_it_ends_and_others_are_still_answered() -> None:
    async with serving(APP) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))

        # when: a head sent in pieces that never ends, past the bound
        writer.write(b"GET / HTTP/1.1\r\nHost: test\r\nX-Filler: ")
        for _ in range(MAX_REQUEST_HEAD_BYTES // 8192 + 2):
            writer.write(b"a" * 8192)
            await writer.drain()
        status, _, _ = await _answer(reader)
        writer.close()
        other_reader, other_writer = await asyncio.open_connection(host, int(port))
        other_writer.write(_request(10))
        other = await _answer(other_reader)
        other_writer.close()

        # then: refused while it was still coming; another client is answered
        assert status == 431
        assert other[0] == 200


async def test_a_body_larger_than_the_bound_sent_with_its_head_is_not_counted_as_head() -> None:
    async with serving(APP) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))

        # when: a small head and a body past the head's bound, in one write, twice on one connection
        body = b"b" * (MAX_REQUEST_HEAD_BYTES * 2)
        head = f"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        writer.write(head + body + head + body)
        answers = [await _answer(reader), await _answer(reader)]
        writer.close()

        # then: both are answered with their whole body
        assert [(status, json.loads(text)) for status, _, text in answers] == [
            (200, {"header": 0, "body": len(body)})
        ] * 2


async def test_a_head_past_the_bound_that_arrives_in_one_read_is_refused_too() -> None:
    async with serving(APP) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))

        # when: a head a little past the bound, written at once (loopback delivers it in one read)
        writer.write(_request(MAX_REQUEST_HEAD_BYTES + 100))
        status, _, _ = await _answer(reader)
        closed = await asyncio.wait_for(reader.read(), 10)
        writer.close()

        # then
        assert status == 431
        assert closed == b""
