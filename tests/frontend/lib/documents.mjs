// The operations in documents/*.graphql, each as a document with exactly the fragments it uses (as a bundler's
// GraphQL loader would hand it to a client).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, print, visit } from "graphql";

const folder = new URL("../documents/", import.meta.url).pathname;
const definitions = readdirSync(folder)
  .filter((name) => name.endsWith(".graphql"))
  .flatMap((name) => parse(readFileSync(join(folder, name), "utf8")).definitions);
const fragments = new Map(
  definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
);

function spreadsIn(node, found = new Set()) {
  visit(node, {
    FragmentSpread(spread) {
      const name = spread.name.value;
      if (!found.has(name)) {
        found.add(name);
        spreadsIn(fragments.get(name), found);
      }
    },
  });
  return found;
}

export function document(operationName) {
  const operation = definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName,
  );
  if (!operation) throw new Error(`no operation ${operationName} in ${folder}`);
  const used = [...spreadsIn(operation)].map((name) => fragments.get(name));
  return [operation, ...used].map(print).join("\n\n");
}
