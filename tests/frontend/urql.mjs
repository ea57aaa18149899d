// urql with Graphcache through the board, deal pages and the deal page's mutations; then every page read from
// the cache alone, and again from the server. `scenario.cache`: "schema" (Graphcache given the committed schema,
// api/schema.graphql, and nothing else) or "recipe" (api/FRONTEND.md's: the schema, and value types embedded).
// `scenario.values` adds a query of value types (objections, estimates) that have no id.
import { Client, fetchExchange, gql, stringifyDocument } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { document } from "./lib/documents.mjs";
import { embeddedValuesFrom } from "./lib/recipe.mjs";
import { answer, headers, introspectionFromSdl, scenario, url } from "./lib/server.mjs";

const Board = gql(document("Board"));
const DealPage = gql(document("DealPage"));
const CompleteMilestone = gql(document("CompleteMilestone"));
const MoveDeal = gql(document("MoveDeal"));
const Values = gql(`
  query Values($id: ID!) {
    deal(id: $id) { id closeEstimate { daysToClose } competitors { id objections { objection response } } }
  }
`);

const schema = await introspectionFromSdl();
const configs = { schema: { schema }, recipe: { schema, keys: embeddedValuesFrom(schema) } };
const config = configs[scenario.cache];
if (!config) throw new Error(`unknown cache configuration ${scenario.cache}`);
const app = new Client({ url, fetchOptions: { headers }, exchanges: [cacheExchange(config), fetchExchange] });

const run = async (operation) => {
  const result = await operation.toPromise();
  if (result.error) throw result.error;
  return result;
};
const board = { first: 20 };
const dealIds = [scenario.complete.dealId, scenario.move.dealId, scenario.blocked.dealId];

await run(app.query(Board, board));
for (const id of dealIds) await run(app.query(DealPage, { id }));
if (scenario.values) await run(app.query(Values, { id: dealIds[0] }));
const completed = await run(app.mutation(CompleteMilestone, scenario.complete));
const moved = await run(app.mutation(MoveDeal, scenario.move));
const blocked = await run(app.mutation(MoveDeal, scenario.blocked));

// The same pages, from the cache alone and from the server (Graphcache answers the fields a document selects).
const read = async (query, variables) => {
  const cached = await run(app.query(query, variables, { requestPolicy: "cache-only" }));
  return { cached: cached.data ?? null, stale: Boolean(cached.stale), fresh: await fetched(query, variables) };
};
const pages = { board: await read(Board, board) };
for (const id of dealIds) pages[id] = await read(DealPage, { id });

async function fetched(query, variables) {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query: stringifyDocument(query), variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

answer({
  results: { completed: completed.data, moved: moved.data, blocked: blocked.data },
  pages,
});
