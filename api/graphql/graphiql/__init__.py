"""GraphiQL, served by the server itself: the page, and its scripts and styles under `/graphiql/`."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

FOLDER = Path(__file__).parent
STATIC = FOLDER / "static"

WELCOME = """# Waymark's GraphQL API. Send your token in the headers below:
#   {"Authorization": "Bearer <token>"}
# (`waymark user add NAME --role ROLE` prints one; `waymark serve --demo` prints the demo's.)
# Ctrl-Enter runs; Ctrl-Space completes; the Docs button lists every type and field.

query Board {
  me { name role }
  deals(first: 10) {
    edges { node { name stage { name } blocked nextSteps { title ask } } }
  }
}
"""


def page(*, demo_tokens: dict[str, str] | None = None) -> str:
    """The GraphiQL page; in demo mode its headers hold the demo manager's token, and the query lists the others."""
    query, headers = WELCOME, ""
    if demo_tokens:
        listed = "\n".join(f"#   {who}: {token}" for who, token in demo_tokens.items())
        query = f"# Demo tokens (the headers below use the first):\n{listed}\n#\n{WELCOME}"
        headers = json.dumps({"Authorization": f"Bearer {next(iter(demo_tokens.values()))}"}, indent=2)
    settings = json.dumps({"defaultQuery": query, "headers": headers})
    return (FOLDER / "page.html").read_text(encoding="utf-8").replace("__SETTINGS__", settings.replace("</", "<\\/"))


def mount_assets() -> Mount:
    return Mount("/graphiql", app=StaticFiles(directory=STATIC), name="graphiql")
