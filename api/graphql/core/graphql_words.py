"""Error messages in GraphQL's words. graphql-core writes the values in its messages the way Python prints them
(`not to be None`, `non-integer value: True`, `found: {'stage': 'sal'}`); a client wrote JSON or GraphQL, so
it reads `null`, `true` and `{"stage": "sal"}`, as GraphQL.js would say it."""

from __future__ import annotations

import ast
import json
import re

_QUOTED = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")
_PYTHON_WORDS = re.compile(r"\b(None|True|False)\b")
_JSON_WORDS = {"None": "null", "True": "true", "False": "false"}


def in_graphql_words(message: str) -> str:
    """`message` with Python's spellings of values (None, True, False, 'single-quoted strings') in JSON's."""
    parts: list[str] = []
    end = 0
    for quoted in _QUOTED.finditer(message):
        parts.append(_words(message[end : quoted.start()]))
        parts.append(_as_json_string(quoted.group()))
        end = quoted.end()
    parts.append(_words(message[end:]))
    return "".join(parts)


def _words(text: str) -> str:
    return _PYTHON_WORDS.sub(lambda word: _JSON_WORDS[word.group()], text)


def _as_json_string(quoted: str) -> str:
    if quoted.startswith('"'):  # already as JSON writes it (Python quotes this way when the text holds a ')
        return quoted
    try:
        value = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return quoted
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else quoted
