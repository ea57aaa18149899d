"""Reloading the process: enablement only; a failed reload keeps serving the last good process."""

from __future__ import annotations

import shutil

import httpx

from tests.api.conftest import FIXTURE_DEFINITIONS, started_app
from tests.api.factories import gql

RELOAD = """
mutation { reloadProcessDefinitions {
  __typename
  ... on ReloadProcessDefinitionsSuccess { processes { key stages { key } } }
  ... on ProcessDefinitionsInvalid { message problems { path line field message severity } }
  ... on PermissionDenied { message }
} }
"""
STAGES = '{ process(key: "new-business") { stages { key name } } }'


async def test_failed_reload_keeps_the_last_good_process_and_reports_problems(database, people, tmp_path):
    # given: a copy of the definitions the server started with
    folder = tmp_path / "definitions"
    shutil.copytree(FIXTURE_DEFINITIONS, folder)
    process_file = folder / "processes" / "new-business.yaml"
    async for app in started_app(database=database, process_dir=folder):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            # when: someone breaks the file and reloads
            process_file.write_text(process_file.read_text().replace("probability: 0.35", "probability: 35"))
            refused = await gql(client, RELOAD, token=people.enablement.token)
            still = await gql(client, STAGES, token=people.rep_a.token)
            # and then fixes it with a renamed stage
            process_file.write_text(
                process_file.read_text()
                .replace("probability: 35", "probability: 0.35")
                .replace("name: SAL", "name: Sales accepted")
            )
            accepted = await gql(client, RELOAD, token=people.enablement.token)
            renamed = await gql(client, STAGES, token=people.rep_a.token)

    # then
    result = refused["data"]["reloadProcessDefinitions"]
    assert result["__typename"] == "ProcessDefinitionsInvalid"
    assert result["problems"][0]["path"].endswith("processes/new-business.yaml")
    assert "probability" in result["problems"][0]["field"]
    assert {"key": "sal", "name": "SAL"} in still["data"]["process"]["stages"]
    assert accepted["data"]["reloadProcessDefinitions"]["__typename"] == "ReloadProcessDefinitionsSuccess"
    assert {"key": "sal", "name": "Sales accepted"} in renamed["data"]["process"]["stages"]


async def test_rep_may_not_reload_the_process(client, people):
    body = await gql(client, RELOAD, token=people.rep_a.token)

    assert body["data"]["reloadProcessDefinitions"]["__typename"] == "PermissionDenied"
