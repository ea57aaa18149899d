"""The abusive documents of the hardening issue, rebuilt: each was tried against `waymark serve` before."""

from __future__ import annotations

ANONYMOUS_7KB = "{ " + "me{id} " * 1003 + "}"
"""7 KB, sent without a token: its validation held the event loop for 1.8–4.1 s."""

_MILESTONE = "key title why ask mandatory weight questions activities"
_LEVELS = 4
AMPLIFIER = (
    "query Amplify { processes { key name stages { key name objective "
    + f"milestones {{ {_MILESTONE} stage {{ key name objective " * _LEVELS
    + f"milestones {{ {_MILESTONE} }}"
    + " } }" * _LEVELS
    + " } } }"
)
"""`processes → stages → milestones → stage → …`, about 577 bytes: 39 MB of answer, 3 s, for a rep."""

AMPLIFIER_8_ALIASES = (
    "query Amplify8 { " + " ".join(f"a{i}: " + AMPLIFIER[len("query Amplify { ") : -2] for i in range(8)) + " }"
)
"""The amplifier eight times under aliases (4.6 KB): 36 s, 312 MB, 1.08 GB of memory."""

NESTED_JSON_BODY = ("[" * 3000 + "]" * 3000).encode()
"""A body that made the JSON parser raise RecursionError: HTTP 500, anonymously."""
