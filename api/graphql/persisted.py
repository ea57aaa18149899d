"""Automatic persisted queries, as Apollo Client's persisted-queries link, Relay and urql speak them.

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}`, without the document; a server
that has seen the document answers it, one that has not answers `PersistedQueryNotFound`
(`PERSISTED_QUERY_NOT_FOUND`), and the client sends the request again with the document and its hash, which
the server checks and keeps. A front end then sends a few dozen bytes where it sent kilobytes of document, and
GET requests for queries become short enough to be cached by HTTP caches.

Each server keeps the documents it has been sent in memory, least recently used first out, within a count and
a total size: several servers behind one address each learn a document once, from the client's second try.
Nothing is trusted that the hash does not prove: a document is kept only under its own SHA-256, and runs
through every check a document sent in full goes through.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import replace

from strawberry.http import GraphQLRequestData

PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"
"""The message Apollo Client's link, urql and Relay look for before they send the document."""


class PersistedQueryRefused(Exception):
    """A persisted-query request this server does not answer: `status` and `code` for the response."""

    def __init__(self, message: str, *, status: int, code: str) -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


class PersistedQueries:
    """The documents this server has been sent with their hashes, by hash."""

    def __init__(self, *, max_documents: int = 2_000, max_bytes: int = 8_000_000) -> None:
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self.max_documents, self.max_bytes = max_documents, max_bytes

    def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData:
        """`request` with its document: as sent (kept under its hash when it names one), or the one kept under
        the hash it names. `PersistedQueryRefused` when the hash is unknown, malformed or not the document's."""
        asked = (request.extensions or {}).get("persistedQuery")
        if asked is None:
            return request
        digest = _hash_of(asked)
        if request.query is None:
            found = self._documents.get(digest)
            if found is None:
                raise PersistedQueryRefused(PERSISTED_QUERY_NOT_FOUND, status=200, code="PERSISTED_QUERY_NOT_FOUND")
            self._documents.move_to_end(digest)
            return replace(request, query=found)
        if hashlib.sha256(request.query.encode()).hexdigest() != digest:
            raise PersistedQueryRefused(
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it",
                status=400,
                code="BAD_REQUEST",
            )
        self._keep(digest, request.query)
        return request

    def _keep(self, digest: str, document: str) -> None:
        if digest in self._documents:
            self._documents.move_to_end(digest)
            return
        size = len(document.encode())
        if size > self.max_bytes:
            return
        self._documents[digest] = document
        self._bytes += size
        while len(self._documents) > self.max_documents or self._bytes > self.max_bytes:
            _, dropped = self._documents.popitem(last=False)
            self._bytes -= len(dropped.encode())


def _hash_of(asked: object) -> str:
    if not isinstance(asked, dict) or type(asked.get("version")) is not int or asked["version"] != 1:
        raise PersistedQueryRefused(
            "extensions.persistedQuery: only version 1 is supported, as "
            '{"version": 1, "sha256Hash": "<SHA-256 of the document, 64 hexadecimal digits>"}',
            status=400,
            code="PERSISTED_QUERY_NOT_SUPPORTED",
        )
    digest = asked.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
        raise PersistedQueryRefused(
            "extensions.persistedQuery.sha256Hash must be the SHA-256 of the document, 64 hexadecimal digits",
            status=400,
            code="BAD_REQUEST",
        )
    return digest.lower()
