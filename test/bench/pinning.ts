import { execFileSync, spawnSync } from 'node:child_process';

/** The broker (and whatever stands in for it: crypto ceiling, oidc-provider) runs on this core. */
export const SERVER_CORE = 0;
/** Redis, the load generator and the bench process itself share this one. */
export const LOAD_CORE = 1;

/** True when `taskset` runs here (util-linux); without it nothing is pinned and the table says so. */
export const HAS_TASKSET = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** `[command, args]` that runs `command args` on `core` (unchanged without taskset). */
export function pinnedCommand(core: number, command: string, args: string[]): [string, string[]] {
  return HAS_TASKSET ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

/** Moves a running process and all its threads to `core`; a no-op without taskset. */
export function pinProcess(pid: number, core: number): void {
  if (!HAS_TASKSET) return;
  execFileSync('taskset', ['-a', '-pc', String(core), String(pid)], { stdio: 'ignore' });
}
