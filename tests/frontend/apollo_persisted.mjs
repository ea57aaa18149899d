// Apollo Client's persisted-queries link against the server: a deal page asked for by two clients in turn, each
// with a cache of its own, every request recorded as it went out (method, and whether it carried the document).
// `scenario.get`: the link sends hashed queries by GET (`useGETForHashedQueries`).
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { document } from "./lib/documents.mjs";
import { possibleTypesFrom } from "./lib/recipe.mjs";
import { answer, headers, introspection, scenario, url } from "./lib/server.mjs";

const sent = [];
async function recordingFetch(input, init) {
  const address = new URL(typeof input === "string" ? input : input.url);
  const body = typeof init?.body === "string" ? JSON.parse(init.body) : {};
  const response = await fetch(input, init);
  sent.push({
    method: init?.method ?? "GET",
    withDocument: Boolean(body.query ?? address.searchParams.get("query")),
    status: response.status,
  });
  return response;
}

const DealPage = gql(document("DealPage"));
const schema = await introspection();
const persisted = new PersistedQueryLink({
  sha256: (text) => createHash("sha256").update(text).digest("hex"),
  useGETForHashedQueries: Boolean(scenario.get),
});
const link = persisted.concat(new HttpLink({ uri: url, headers, fetch: recordingFetch }));
const client = () => new ApolloClient({ link, cache: new InMemoryCache({ possibleTypes: possibleTypesFrom(schema) }) });
const variables = { id: scenario.complete.dealId };

const first = await client().query({ query: DealPage, variables });
const second = await client().query({ query: DealPage, variables });
answer({ sent, first: first.data, second: second.data });
