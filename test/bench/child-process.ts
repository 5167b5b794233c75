import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './pinning.js';

/** A bench helper running in its own Node process (own event loop), spoken to over Node IPC. */
export interface BenchChild {
  send(message: unknown): void;
  next<T>(timeoutMs: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Spawns `file` (next to this module) under tsx with `env` added, and waits for its first message.
 * `core` pins it (taskset) and `nodeArgs` go before tsx (e.g. the broker's V8 flags).
 */
export async function startBenchChild<T>(
  file: string,
  env: Record<string, string>,
  readyTimeoutMs = 30_000,
  niceness = 0,
  placement: { core?: number; nodeArgs?: readonly string[] } = {},
): Promise<{ child: BenchChild; ready: T }> {
  const entry = fileURLToPath(new URL(file, import.meta.url));
  const nodeArgs = [...(placement.nodeArgs ?? []), '--conditions=source', '--import', 'tsx', entry];
  const [command, args] =
    placement.core === undefined
      ? [process.execPath, nodeArgs]
      : pinnedCommand(placement.core, process.execPath, nodeArgs);
  const proc = spawn(command, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  if (niceness !== 0 && proc.pid !== undefined) setPriority(proc.pid, niceness);
  const child: BenchChild = {
    send: (message) => proc.send(message as string),
    next: (timeoutMs) => nextMessage(proc, timeoutMs),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.send('stop');
      const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
  const ready = await child.next<T>(readyTimeoutMs).catch((err) => {
    proc.kill('SIGKILL');
    throw err;
  });
  return { child, ready };
}

function nextMessage<T>(proc: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`bench child did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`bench child exited (${code})`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}
