import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './pinning.js';

/** The production start command's node flags: the bench and the CI soak run exactly these. */
export const BROKER_NODE_ARGS: readonly string[] = ['--no-turbo-inline-js-wasm-calls'];

export const BROKER_DIR = fileURLToPath(new URL('../../apps/broker/', import.meta.url));
export const BROKER_MAIN = `${BROKER_DIR}dist/main.js`;

export interface BuiltBroker {
  url: string;
  pid: number;
  child: ChildProcess;
  stderr(): string;
  /** The bootstrap admin key printed on stderr at first start, when one was. */
  adminKey: string | undefined;
  /** Null while running; otherwise the exit code or signal. */
  exitStatus(): number | string | null;
  /** Resident set size in bytes, from /proc (0 if unreadable). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

const ADMIN_KEY = /writ_[A-Za-z0-9]+_[A-Za-z0-9_-]+/;

/**
 * Starts apps/broker/dist/main.js as production does (`node <BROKER_NODE_ARGS> dist/main.js`,
 * configured only by WRIT_CONFIG), optionally pinned to one core, and waits for /healthz.
 * Fails with a clear message when the broker has not been built.
 */
export async function startBuiltBroker(options: {
  configFile: string;
  port: number;
  core?: number;
  readyTimeoutMs?: number;
}): Promise<BuiltBroker> {
  if (!existsSync(BROKER_MAIN)) {
    throw new Error(
      `${BROKER_MAIN} is missing: run \`pnpm build\` first (the bench drives the built broker)`,
    );
  }
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    WRIT_CONFIG: options.configFile,
  };
  // A production broker never prints a key by itself: bootstrap is an explicit step, as in a
  // real deployment (refused, and no key, when this store was bootstrapped before).
  const adminKey = await bootstrapAdminKey(env);
  const nodeArgs = [...BROKER_NODE_ARGS, BROKER_MAIN];
  const [command, args] =
    options.core === undefined
      ? [process.execPath, nodeArgs]
      : pinnedCommand(options.core, process.execPath, nodeArgs);
  const child = spawn(command, args, {
    cwd: BROKER_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  child.stdout?.resume();
  const url = `http://127.0.0.1:${options.port}`;
  const exitStatus = () => child.exitCode ?? child.signalCode ?? null;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exitStatus() !== null) throw new Error(`broker exited (${exitStatus()}) during start:\n${err}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`broker not healthy within the start timeout:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? -1;
  return {
    url,
    pid,
    child,
    stderr: () => err,
    adminKey,
    exitStatus,
    rss: () => readRss(pid),
    async stop() {
      if (exitStatus() !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
}

/** VmRSS of `pid` in bytes (taskset execs the command, so the pid is node's own). */
export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** `node dist/main.js bootstrap`: the first admin key (its stdout), or undefined when refused. */
function bootstrapAdminKey(env: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BROKER_MAIN, 'bootstrap'], {
      cwd: BROKER_DIR,
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', () => resolve(ADMIN_KEY.exec(out)?.[0]));
  });
}
