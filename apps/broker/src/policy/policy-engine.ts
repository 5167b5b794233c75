import { type FSWatcher, watch as watchDir } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import { loadPolicyDir } from './load-policy-dir.js';
import { PolicyLoadError } from './policy-load-error.js';
import type { PolicyDecision, PolicyProblem, PolicyRequest, PolicySet } from './types.js';

export type PolicyReloadResult = { ok: true } | { ok: false; problems: PolicyProblem[] };

export interface PolicyEngine {
  evaluate(req: PolicyRequest): PolicyDecision;
  evaluateAll(reqs: readonly PolicyRequest[]): PolicyDecision;
  /** Loads the directory again; an invalid set is rejected and the current one kept. */
  reload(): Promise<PolicyReloadResult>;
  /** sha256 of the sources currently enforced. */
  version(): string;
  close(): void;
}

export interface PolicyEngineOptions {
  dir: string;
  logger: Logger;
  /** Reload when anything in `dir` changes (fs.watch, debounced). */
  watch?: boolean;
  debounceMs?: number;
}

/**
 * Loads `dir` (throws {@link PolicyLoadError} so the broker refuses to start on bad policies) and
 * keeps the set current. The process owner calls `reload()` on SIGHUP; no signal handler is installed.
 */
export async function createPolicyEngine(options: PolicyEngineOptions): Promise<PolicyEngine> {
  const { dir, logger } = options;
  let current = await loadPolicyDir(dir);
  logLoaded(logger, current, 'policies loaded');
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const reloadNow = async (): Promise<PolicyReloadResult> => {
    let next: PolicySet;
    try {
      next = await loadPolicyDir(dir);
    } catch (err) {
      const problems =
        err instanceof PolicyLoadError
          ? err.problems
          : [{ file: dir, line: 0, message: err instanceof Error ? err.message : String(err) }];
      logger.error({ problems, version: current.version }, 'policy reload rejected');
      return { ok: false, problems };
    }
    if (next.version !== current.version) {
      current = next;
      logLoaded(logger, current, 'policies reloaded');
    }
    return { ok: true };
  };

  // Serialized so a slow read of an older directory state never replaces a newer one.
  const reload = (): Promise<PolicyReloadResult> => {
    const run = queue.then(reloadNow);
    queue = run.catch(() => undefined);
    return run;
  };

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watch) {
    const debounceMs = options.debounceMs ?? 100;
    // Any entry counts, not only *.cedar: Kubernetes ConfigMap updates swap a `..data` symlink.
    watcher = watchDir(dir, { persistent: false }, () => {
      if (closed) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), debounceMs);
      timer.unref();
    });
    watcher.on('error', (err) => logger.error({ err, dir }, 'policy directory watch failed'));
  }

  return {
    evaluate: (req) => current.evaluate(req),
    evaluateAll: (reqs) => current.evaluateAll(reqs),
    reload,
    version: () => current.version,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

/** A fixed set, for tests and dev mode; `reload()` is a successful no-op. */
export function createStaticPolicyEngine(set: PolicySet): PolicyEngine {
  return {
    evaluate: (req) => set.evaluate(req),
    evaluateAll: (reqs) => set.evaluateAll(reqs),
    reload: async () => ({ ok: true }),
    version: () => set.version,
    close() {},
  };
}

function logLoaded(logger: Logger, set: PolicySet, msg: string): void {
  logger.info({ version: set.version, policies: set.policyIds.length }, msg);
  if (set.warnings.length > 0) logger.warn({ warnings: set.warnings }, 'policy validation warnings');
}
