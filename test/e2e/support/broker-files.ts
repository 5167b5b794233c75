import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { stringify } from 'yaml';

/** A fresh directory with a private signing JWK set, a policy dir and a writ.yaml. */
export async function writeBrokerFiles(options: {
  config: (paths: { keyFile: string; policyDir: string }) => Record<string, unknown>;
  policies: Record<string, string>;
}): Promise<{ dir: string; configFile: string; policyDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'writ-e2e-'));
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const { d: _d, ...pub } = jwk;
  const kid = await calculateJwkThumbprint(pub);
  const keyFile = join(dir, 'signing-keys.json');
  await writeFile(keyFile, JSON.stringify({ keys: [{ ...jwk, kid, alg: 'ES256' }] }), { mode: 0o600 });
  const policyDir = join(dir, 'policies');
  await import('node:fs/promises').then((fs) => fs.mkdir(policyDir));
  for (const [name, text] of Object.entries(options.policies)) await writeFile(join(policyDir, name), text);
  const configFile = join(dir, 'writ.yaml');
  await writeFile(configFile, stringify(options.config({ keyFile, policyDir })));
  return { dir, configFile, policyDir };
}
