import { PolicyLoadError } from '../../src/policy/policy-load-error.js';
import type { PolicyAction, PolicyContext, PolicyPrincipal, PolicyRequest } from '../../src/policy/types.js';
import { definedOnly } from '../../src/shared/defined.js';
import type { Logger } from '../../src/shared/logger.js';

export interface RequestOverrides {
  action?: PolicyAction;
  principal?: { [K in keyof PolicyPrincipal]?: PolicyPrincipal[K] | undefined };
  tool?: string;
  context?: { [K in keyof PolicyContext]?: PolicyContext[K] | undefined };
}

/** A start_task request by a dev.local SPIFFE workload on internal data; override what a test needs. */
export function buildRequest(overrides: RequestOverrides = {}): PolicyRequest {
  return {
    action: overrides.action ?? 'start_task',
    // An override of `undefined` removes the field (e.g. an OIDC principal has no trust domain).
    principal: definedOnly({
      id: 'spiffe://dev.local/agents/helper',
      kind: 'spiffe',
      issuer: 'spiffe:dev.local',
      trustDomain: 'dev.local',
      attributes: {},
      ...overrides.principal,
    }),
    resource: { tool: overrides.tool ?? 'search' },
    context: definedOnly({
      audience: 'https://api.example.com',
      intent: 'answer a support ticket',
      dataClass: 'internal',
      ttlSeconds: 300,
      delegationDepth: 0,
      taskId: 'task-1',
      time: 1_767_225_600,
      ...overrides.context,
    }),
  };
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg: string | undefined;
}

/** A Logger that keeps every line, so tests can assert what was logged. */
export function createRecordingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger: Logger & { records: LogRecord[] } = {
    records,
    info: (obj, msg) => void records.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void records.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void records.push({ level: 'error', obj, msg }),
    debug: (obj, msg) => void records.push({ level: 'debug', obj, msg }),
    child: () => logger,
  };
  return logger;
}

/** Runs `fn`, expecting it to throw a {@link PolicyLoadError}, and returns that error. */
export function catchLoadError(fn: () => unknown): PolicyLoadError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PolicyLoadError) return err;
    throw err;
  }
  throw new Error('expected a PolicyLoadError');
}
