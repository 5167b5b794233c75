// First: the V8 guard must be in force before anything else runs (see the module).
import './process/v8-guard.js';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { buildBroker } from './deps.js';
import { createBrokerServer } from './http/broker-server.js';
import { bootstrapOnStart, runBootstrapCommand } from './process/bootstrap-admin.js';
import { v8Guard } from './process/v8-guard.js';
import { createLogger } from './shared/create-logger.js';

/**
 * Process: config → deps → app → serve → graceful drain. `main.js bootstrap` instead creates and
 * prints the first admin key once, then exits.
 */
async function main() {
  const command = process.argv[2];
  if (command !== undefined && command !== 'bootstrap') {
    process.stderr.write(`writ: unknown command "${command}" (known: bootstrap)\n`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`writ: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.log.level });
  // An unexpected exit is easier to read against the runtime it happened on.
  logger.info(
    {
      node: process.version,
      v8: process.versions.v8,
      v8_flags: [v8Guard.flag],
      v8_flags_source: v8Guard.source,
    },
    'runtime',
  );
  const broker = await buildBroker(config, logger);
  const output = {
    stdout: (text: string) => void process.stdout.write(text),
    stderr: (text: string) => void process.stderr.write(text),
  };
  if (command === 'bootstrap') {
    const code = await runBootstrapCommand(broker.app.issuance, output);
    await broker.close();
    process.exit(code);
  }
  await bootstrapOnStart(config, broker.app.issuance, logger, output);
  const app = createApp(broker.app);

  const server = createBrokerServer(app.fetch, {
    operators: broker.app.operators,
    clientAddress: broker.app.clientAddress,
    limits: config.limits,
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    logger.info(
      { port, issuer: config.issuer, dev: config.dev, config: config.source },
      'writ broker listening',
    );
    if (config.dev) announceDevMode(config.issuer, port, Boolean(config.redis));
  });

  process.on('SIGHUP', () => {
    void broker.policy.reload().then((result) => {
      if (result.ok) logger.info({ version: broker.policy.version() }, 'policies reloaded');
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests');
    const force = setTimeout(() => {
      logger.error({}, 'drain timed out; exiting');
      process.exit(1);
    }, config.shutdown_grace_ms);
    force.unref();
    // Followers of the revocation feed reconnect to another replica and resume from Last-Event-ID.
    broker.stopStreams();
    server.close(() => {
      void broker.close().finally(() => {
        logger.info({}, 'stopped');
        process.exit(0);
      });
    });
    // Idle keep-alive sockets would hold close() open until the grace period ends.
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function announceDevMode(issuer: string, port: number, redis: boolean) {
  process.stderr.write(
    [
      '',
      '  ************************************************************',
      '  *  WRIT DEV MODE — NOT FOR PRODUCTION                        *',
      '  ************************************************************',
      `  issuer:   ${issuer}`,
      `  store:    ${redis ? 'redis (configured)' : 'in-memory (lost on exit)'}`,
      '  keys:     ephemeral ES256 signing key (new on every start)',
      `  identity: POST http://localhost:${port}/dev/identity {"sub":"spiffe://dev.local/<path>"}`,
      '  policy:   dev.local workloads may start tasks with any tool, data class up to internal',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`writ: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
