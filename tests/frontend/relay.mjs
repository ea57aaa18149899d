// The operations relay-compiler generated from relay/*.js, run by relay-runtime against the server: the board's
// query, its pagination query forward (first/after) and backward (last/before), and the stage card's refetch
// query (node(id:)). Answers what the server said to each, and the Stage records Relay's store holds.
import { Environment, Network, RecordSource, Store, fetchQuery } from "relay-runtime";
import BoardDealsPaginationQuery from "./relay/__generated__/BoardDealsPaginationQuery.graphql.js";
import BoardQuery from "./relay/__generated__/BoardQuery.graphql.js";
import StageCardRefetchQuery from "./relay/__generated__/StageCardRefetchQuery.graphql.js";
import { answer, headers, scenario, url } from "./lib/server.mjs";

const responses = [];
const network = Network.create(async (params, variables) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query: params.text, operationName: params.name, variables }),
  });
  const body = await response.json();
  responses.push({ operation: params.name, variables, body });
  return body;
});
const environment = new Environment({ network, store: new Store(new RecordSource()) });
const run = (query, variables) => fetchQuery(environment, query, variables).toPromise();

await run(BoardQuery, {});
const firstPage = responses.at(-1).body.data.deals;
// As usePaginationFragment's loadNext and loadPrevious call it: the other direction's variables set to null.
await run(BoardDealsPaginationQuery, { first: 3, after: firstPage.pageInfo.endCursor, last: null, before: null });
const secondPage = responses.at(-1).body.data.deals;
await run(BoardDealsPaginationQuery, { first: null, after: null, last: 3, before: secondPage.pageInfo.startCursor });
const onPages = firstPage.edges.concat(secondPage.edges).map((edge) => edge.node.stage.id);
const stageIds = [...new Set([...onPages, ...(scenario.stageIds ?? [])])];
for (const id of stageIds) await run(StageCardRefetchQuery, { id });

const records = environment.getStore().getSource().toJSON();
const stages = Object.values(records).filter((record) => record.__typename === "Stage");
answer({
  responses,
  stages: stages.map((stage) => ({ id: stage.id, key: stage.key, processKey: records[stage.process.__ref].key })),
});
