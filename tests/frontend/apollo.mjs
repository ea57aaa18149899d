// Apollo Client's InMemoryCache through the board, deal pages and the deal page's mutations; then every page read
// from the cache alone, and again from the server. `scenario.cache` says how the cache is configured:
// "possibleTypes" (from introspection, nothing else), "recipe" (api/FRONTEND.md's), or "bare" (nothing at all).
// Run with `node --conditions=development` so Apollo prints its development warnings.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev";
import { addTypenameToDocument } from "@apollo/client/utilities";
import { print } from "graphql";
import { document } from "./lib/documents.mjs";
import { possibleTypesFrom, replacedListsFrom } from "./lib/recipe.mjs";
import { answer, headers, introspection, scenario, url } from "./lib/server.mjs";

loadDevMessages();
loadErrorMessages();

const Board = gql(document("Board"));
const DealPage = gql(document("DealPage"));
const CompleteMilestone = gql(document("CompleteMilestone"));
const MoveDeal = gql(document("MoveDeal"));

const schema = await introspection();
const configs = {
  bare: {},
  possibleTypes: { possibleTypes: possibleTypesFrom(schema) },
  recipe: { possibleTypes: possibleTypesFrom(schema), typePolicies: replacedListsFrom(schema) },
};
const config = configs[scenario.cache];
if (!config) throw new Error(`unknown cache configuration ${scenario.cache}`);
const app = new ApolloClient({ link: new HttpLink({ uri: url, headers }), cache: new InMemoryCache(config) });
const board = { first: 20 };
const dealIds = [scenario.complete.dealId, scenario.move.dealId, scenario.blocked.dealId];

await app.query({ query: Board, variables: board });
for (const id of dealIds) await app.query({ query: DealPage, variables: { id } });
const completed = await app.mutate({ mutation: CompleteMilestone, variables: scenario.complete });
const moved = await app.mutate({ mutation: MoveDeal, variables: scenario.move });
const blocked = await app.mutate({ mutation: MoveDeal, variables: scenario.blocked });

// The same pages, from the cache alone and from the server (the document as Apollo sends it, with __typename).
const read = async (query, variables) => ({
  cached: app.readQuery({ query, variables }),
  fresh: await fetched(query, variables),
});
const pages = { board: await read(Board, board) };
for (const id of dealIds) pages[id] = await read(DealPage, { id });

async function fetched(query, variables) {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query: print(addTypenameToDocument(query)), variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

answer({
  results: { completed: completed.data, moved: moved.data, blocked: blocked.data },
  pages,
});
