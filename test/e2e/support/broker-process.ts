import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@writ/test/harness';

const BROKER_DIR = fileURLToPath(new URL('../../../apps/broker/', import.meta.url));

export interface BrokerProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs the broker as a user would (`src/main.ts` under tsx, configured only by the environment),
 * so config loading, the composition root, serving and draining are all exercised.
 */
export function spawnBroker(env: Record<string, string>, port: number): BrokerProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
    cwd: BROKER_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', WRIT_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until GET /healthz answers, or fails with the process output. */
export async function waitForHealthy(broker: BrokerProcess, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      if (broker.child.exitCode !== null) {
        throw new Error(`broker exited early:\n${broker.stderr()}\n${broker.stdout().slice(-2000)}`);
      }
      try {
        return (await fetch(`${broker.url}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    { timeoutMs, intervalMs: 100, description: 'broker /healthz' },
  );
}
