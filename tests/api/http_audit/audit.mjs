// Run the graphql-http GraphQL-over-HTTP audit suite against a running server and print the results as JSON.
// Usage: WAYMARK_AUDIT_URL=http://127.0.0.1:PORT/graphql WAYMARK_AUDIT_TOKEN=wmk_... node audit.mjs
import { auditServer } from 'graphql-http';

const url = process.env.WAYMARK_AUDIT_URL;
const token = process.env.WAYMARK_AUDIT_TOKEN;
if (!url) {
  console.error('set WAYMARK_AUDIT_URL to the /graphql URL of a running server');
  process.exit(2);
}

// Every request carries the token, as a real client's would.
async function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithToken });
const plain = await Promise.all(results.map(async (result) => ({
  id: result.id,
  name: result.name,
  status: result.status,
  reason: result.status === 'ok' ? null : result.reason,
  response: result.status === 'ok' ? null : {
    status: result.response.status,
    contentType: result.response.headers.get('content-type'),
    body: (await result.response.text()).slice(0, 500),
  },
})));
console.log(JSON.stringify(plain, null, 2));
