import type { BrokerConfig } from '../config.js';
import { bootstrapAdminKey, formatBootstrapBanner } from '../operators/bootstrap.js';
import type { OperatorKeyDeps } from '../operators/manage-operator-keys.js';
import type { Logger } from '../shared/logger.js';

/** Where the one-time key goes: never the structured log. */
export interface BootstrapOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * At server start. Dev mode keeps the convenience of printing an admin key on the very first
 * start (unless WRIT_DEV_ADMIN_KEY replaces it). A production broker never mints and prints a key
 * by itself: after a lost or flushed dataset that would hand admin to whoever reads its stderr.
 * There, bootstrap is the explicit `bootstrap` command; a start without any key says so in the log.
 */
export async function bootstrapOnStart(
  config: Pick<BrokerConfig, 'dev' | 'devAdminKey'>,
  deps: OperatorKeyDeps,
  logger: Logger,
  output: BootstrapOutput,
): Promise<void> {
  const { store } = deps;
  if (config.dev) {
    if (config.devAdminKey) return;
    const key = await bootstrapAdminKey(deps);
    if (key) output.stderr(formatBootstrapBanner(key));
    return;
  }
  if ((await store.listOperatorKeys()).length === 0) {
    logger.warn(
      {},
      'no operator key exists: run `node dist/main.js bootstrap` once to create the first admin key',
    );
  }
}

/**
 * `node dist/main.js bootstrap`: creates the first admin key, prints it once (the key alone on
 * stdout, for scripts; the banner on stderr) and returns 0. Refuses (1) when an admin key was
 * already bootstrapped on this store, so running it twice never mints a second one.
 */
export async function runBootstrapCommand(deps: OperatorKeyDeps, output: BootstrapOutput): Promise<number> {
  const key = await bootstrapAdminKey(deps);
  if (!key) {
    output.stderr(
      'writ bootstrap: refused — an admin key was already bootstrapped on this store.\n' +
        'Use an existing admin key to create more (POST /v1/operator-keys); docs/operators.md explains recovery.\n',
    );
    return 1;
  }
  output.stderr(formatBootstrapBanner(key));
  output.stdout(`${key}\n`);
  return 0;
}
