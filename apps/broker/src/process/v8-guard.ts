import { setFlagsFromString } from 'node:v8';

/**
 * V8 11.3 (Node 20) can abort the process under load when TurboFan inlines calls from JavaScript
 * into WebAssembly (the Cedar engine) and later deoptimizes one of them: `Fatal error … unreachable
 * code` in `Deoptimizer::DoComputeBuiltinContinuation`, SIGTRAP. Turning that inlining off removes
 * the crash at no measurable cost (docs/adr/0003-node-version-and-v8-guard.md).
 *
 * `NODE_OPTIONS` refuses the flag, so the start commands put it on the `node` command line, and
 * this module sets it again at run time for any other way of starting the broker. It must be
 * evaluated before any JavaScript gets hot enough to be optimized: main.ts imports it first.
 */
export const V8_GUARD_FLAG = '--no-turbo-inline-js-wasm-calls';

export type V8GuardSource = 'command-line' | 'runtime';

function applyV8Guard(execArgv: readonly string[]): V8GuardSource {
  if (execArgv.includes(V8_GUARD_FLAG)) return 'command-line';
  setFlagsFromString(V8_GUARD_FLAG);
  return 'runtime';
}

/** How the guard is in force in this process, for the start-up log line. */
export const v8Guard: { flag: string; source: V8GuardSource } = {
  flag: V8_GUARD_FLAG,
  source: applyV8Guard(process.execArgv),
};
