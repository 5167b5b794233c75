import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { pingRedis } from './ping-redis.js';

export interface StartRedisOptions {
  /** Extra `redis-server` flags, e.g. `['--appendonly', 'yes', '--appendfsync', 'always']`. */
  args?: string[];
  /** Port on 127.0.0.1; default a free one. 6379 is refused. */
  port?: number;
  /** Data dir; default a fresh temp dir that `stop()` removes. */
  dir?: string;
  /** Binary to run; default `redis-server` from PATH. */
  bin?: string;
  /** How long to wait for `+PONG`; default 5000 ms. */
  readyTimeoutMs?: number;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly dir: string;
  /** pid of the current process; changes after `restart()`. */
  readonly pid: number;
  /** Signals the process (default SIGKILL) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts again on the same port, dir and args (kills first if still running), waits for PING. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), then removes the dir if this harness created it. */
  stop(): Promise<void>;
}

export class RedisStartError extends Error {
  override readonly name = 'RedisStartError';
}

const HOST = '127.0.0.1';
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a private `redis-server` on a free loopback port (`--save "" --appendonly no` unless
 * `args` set them) and resolves once it answers PING.
 *
 * @example
 * const redis = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
 * await redis.kill('SIGKILL');
 * await redis.restart();
 * await redis.stop();
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  if (port === 6379)
    throw new RedisStartError('startRedis: port 6379 belongs to a shared Redis; never use it');
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'writ-redis-')));
  const logfile = join(dir, 'redis.log');
  const argv = buildArgs(options.args ?? [], port, dir, logfile);
  const bin = options.bin ?? 'redis-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 5000;

  let child = await launch(bin, argv, port, logfile, readyTimeoutMs).catch(async (error: unknown) => {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  });

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    await signalAndWait(child, signal);
  };

  return {
    url: `redis://${HOST}:${port}`,
    port,
    host: HOST,
    dir,
    get pid() {
      return child.pid ?? -1;
    },
    kill,
    async restart() {
      await signalAndWait(child, 'SIGKILL');
      child = await launch(bin, argv, port, logfile, readyTimeoutMs);
    },
    async stop() {
      await signalAndWait(child, 'SIGTERM', 5000);
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function buildArgs(extra: string[], port: number, dir: string, logfile: string): string[] {
  const has = (flag: string): boolean => extra.includes(flag);
  const defaults = [
    ...(has('--save') ? [] : ['--save', '']),
    ...(has('--appendonly') ? [] : ['--appendonly', 'no']),
  ];
  return [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--logfile',
    logfile,
    ...defaults,
    ...extra,
  ];
}

async function launch(
  bin: string,
  argv: string[],
  port: number,
  logfile: string,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const deadline = Date.now() + timeoutMs;
  let lastReply = 'no reply';
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    try {
      lastReply = await pingRedis(HOST, port, 250);
      if (lastReply === '+PONG') return child;
    } catch (error) {
      lastReply = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  await signalAndWait(child, 'SIGKILL');
  const logTail = await readFile(logfile, 'utf8').then(
    (text) => text.split('\n').slice(-20).join('\n'),
    () => '(no log file)',
  );
  const reason = spawnError
    ? `could not run ${bin}: ${spawnError.message}`
    : `no +PONG on ${HOST}:${port} within ${timeoutMs} ms (last: ${lastReply}; exit ${child.exitCode ?? child.signalCode})`;
  throw new RedisStartError(
    `startRedis: ${reason}\n--- output ---\n${output}\n--- ${logfile} ---\n${logTail}`,
    {
      cause: spawnError,
    },
  );
}

async function signalAndWait(
  child: ChildProcess,
  signal: NodeJS.Signals,
  escalateAfterMs?: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  if (escalateAfterMs === undefined) return exited;
  const timer = setTimeout(() => child.kill('SIGKILL'), escalateAfterMs);
  await exited;
  clearTimeout(timer);
}

function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed or interrupted test run must not leave redis-server processes behind.
  process.once('exit', () => {
    for (const proc of live) proc.kill('SIGKILL');
  });
}
