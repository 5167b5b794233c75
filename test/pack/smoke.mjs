// The packed @writ/claims and @writ/verifier under plain Node (no TypeScript loader), against a
// live dev broker: a dev identity → a writ → createVerifier(...).verify accepts it → the task is
// revoked with the admin key → the verifier refuses it. Run by run.sh from a project outside the
// workspace; BROKER_URL and ADMIN_KEY come from there.
import { parseWritClaims } from '@writ/claims';
import { createVerifier, WritError } from '@writ/verifier';
import { createWritGuard } from '@writ/verifier/fetch';

const broker = process.env.BROKER_URL;
const admin = process.env.ADMIN_KEY;
const audience = 'https://api.example.com';

async function post(path, body, headers = {}) {
  const form = !headers['content-type'];
  const res = await fetch(`${broker}${path}`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : headers['content-type'], ...headers },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}
const json = { 'content-type': 'application/json' };
const asAdmin = { ...json, authorization: `Bearer ${admin}` };

const { key: feedKey } = await post('/v1/operator-keys', { name: 'smoke-feed', roles: ['feed'] }, asAdmin);
const { token: identity } = await post('/dev/identity', { sub: 'spiffe://dev.local/agents/smoke' }, json);
const { access_token: writ } = await post('/oauth2/token', {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  subject_token: identity,
  audience,
  scope: 'tool:jira.read',
});

const verifier = createVerifier({
  issuer: broker,
  audience,
  revocations: { mode: 'feed', operatorKey: feedKey },
  maxStalenessMs: 60_000,
});
await verifier.ready();
const claims = await verifier.verify(writ);
if (!parseWritClaims(claims).ok) throw new Error('verify returned claims @writ/claims refuses');
if (!verifier.permits(claims, { tool: 'jira.read' }).permitted) throw new Error('jira.read is in the plan');
if (verifier.permits(claims, { tool: 'jira.write' }).permitted) throw new Error('jira.write is not in the plan');
const guard = createWritGuard(verifier, { tool: 'jira.read' });
const decision = await guard(new Request('http://api/', { headers: { authorization: `Bearer ${writ}` } }));
if (!decision.ok) throw new Error(`the fetch guard refused a live writ: ${decision.code}`);

await post('/v1/revocations', { task: claims.task.id }, asAdmin);
const deadline = Date.now() + 5_000;
let code = 'accepted';
while (Date.now() < deadline) {
  try {
    await verifier.verify(writ);
  } catch (err) {
    if (!(err instanceof WritError)) throw err;
    code = err.code;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
verifier.close();
if (code !== 'ERR_WRIT_REVOKED') throw new Error(`the revoked writ was not refused as revoked: ${code}`);
console.log(`pack smoke: verified task ${claims.task.id}, refused it after revocation (${code})`);
