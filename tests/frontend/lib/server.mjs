import { format } from "node:util";

// The server under test, as the Python test hands it over: its address, a token, and what to do.
export const scenario = JSON.parse(process.env.WAYMARK_SCENARIO ?? "{}");
export const url = `${scenario.baseUrl}/graphql`;
export const headers = { authorization: `Bearer ${scenario.token}` };

// The schema as the committed SDL describes it, in introspection form (no request needed: a build step can do it).
export async function introspectionFromSdl() {
  const { buildSchema, introspectionFromSchema } = await import("graphql");
  const { readFileSync } = await import("node:fs");
  const sdl = readFileSync(new URL("../../../api/schema.graphql", import.meta.url), "utf8");
  return introspectionFromSchema(buildSchema(sdl));
}

// The schema as the server describes it.
export async function introspection() {
  const { getIntrospectionQuery } = await import("graphql");
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ query: getIntrospectionQuery(), operationName: "IntrospectionQuery" }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// Everything the clients print while the scenario runs: their warnings are what the test is about.
export const printed = [];
for (const level of ["debug", "log", "info", "warn", "error"]) {
  const original = console[level];
  console[level] = (...args) => {
    printed.push({ level, text: format(...args) });
    if (process.env.WAYMARK_ECHO) original(...args);
  };
}

export function answer(result) {
  process.stdout.write(JSON.stringify({ ...result, printed }));
}
