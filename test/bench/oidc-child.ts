import type { AddressInfo } from 'node:net';
import { type Configuration, Provider } from 'oidc-provider';

/**
 * Child process: oidc-provider as the reference authorization server, pinned to the broker's
 * core. One client (`bench`) authenticating with private_key_jwt (ES256, the public JWK in
 * WRIT_BENCH_CLIENT_JWK), client_credentials only, and one resource server
 * (https://tickets.example.com) whose access tokens are ES256 JWTs. Sends `{ url }` when listening.
 */
const OIDC_RESOURCE = 'https://tickets.example.com';
const OIDC_CLIENT_ID = 'bench';

async function main() {
  const clientJwk = process.env.WRIT_BENCH_CLIENT_JWK;
  const signingJwk = process.env.WRIT_BENCH_SIGNING_JWK;
  const port = Number(process.env.WRIT_BENCH_PORT);
  if (!process.send || !clientJwk || !signingJwk || !(port > 0)) {
    throw new Error('oidc-child runs as an IPC child of the bench');
  }
  const issuer = `http://127.0.0.1:${port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        id_token_signed_response_alg: 'ES256',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        jwks: { keys: [JSON.parse(clientJwk)] },
      },
    ],
    jwks: { keys: [JSON.parse(signingJwk)] },
    clientAuthMethods: ['private_key_jwt'],
    scopes: ['tickets.read'],
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => OIDC_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'tickets.read',
          audience: OIDC_RESOURCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  };
  const provider = new Provider(issuer, configuration);
  const server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const stop = () => server.close(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  process.send({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, issuer });
}

main().catch((err) => {
  process.stderr.write(`oidc-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
