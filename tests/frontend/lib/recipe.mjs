// Apollo Client: which types may appear where an interface or union is expected.
export function possibleTypesFrom(introspection) {
  const possibleTypes = {};
  for (const type of introspection.__schema.types) {
    if (type.possibleTypes) possibleTypes[type.name] = type.possibleTypes.map((member) => member.name);
  }
  return possibleTypes;
}

// Apollo Client: a list held by an object with an id (a deal's next steps, its blockers) is replaced by the
// server's answer, which is Apollo's default; saying so stops the warning Apollo prints when such a list gets
// shorter (a milestone done leaves one fewer next step), which no ID can prevent.
export function replacedListsFrom(introspection) {
  const typePolicies = {};
  for (const type of introspection.__schema.types) {
    if (type.kind !== "OBJECT" || !type.fields.some((field) => field.name === "id")) continue;
    const lists = type.fields.filter((field) => isListOfObjects(field.type));
    if (lists.length) typePolicies[type.name] = { fields: Object.fromEntries(lists.map((f) => [f.name, { merge: false }])) };
  }
  return typePolicies;
}

function isListOfObjects(type) {
  let list = false;
  for (; type.ofType; type = type.ofType) list ||= type.kind === "LIST";
  return list && ["OBJECT", "INTERFACE", "UNION"].includes(type.kind);
}

// urql Graphcache: types without an `id` are values (a money amount, an estimate, an objection), embedded in
// the object that holds them. Saying so once silences Graphcache's "no key could be generated" for them.
export function embeddedValuesFrom(introspection) {
  const schema = introspection.__schema;
  const roots = [schema.queryType, schema.mutationType, schema.subscriptionType].map((root) => root?.name);
  const keys = {};
  for (const type of schema.types) {
    const isValue = type.kind === "OBJECT" && !type.name.startsWith("__") && !roots.includes(type.name);
    if (isValue && !type.fields.some((field) => field.name === "id")) keys[type.name] = () => null;
  }
  return keys;
}
