import { BROKER_NODE_ARGS } from './built-broker.js';
import { type BenchChild, startBenchChild } from './child-process.js';
import { SERVER_CORE } from './pinning.js';

export interface CryptoCeiling {
  /** Runs verify+sign for `seconds` on the broker's core; ops/s and µs/op. */
  measure(seconds: number): Promise<{ opsPerSecond: number; usPerOp: number }>;
  child: BenchChild;
}

/** The crypto ceiling's child (crypto-child.ts), pinned and flagged like the broker. */
export async function startCryptoCeiling(): Promise<CryptoCeiling> {
  const { child } = await startBenchChild('./crypto-child.ts', {}, 30_000, 0, {
    core: SERVER_CORE,
    nodeArgs: BROKER_NODE_ARGS,
  });
  return {
    child,
    async measure(seconds) {
      child.send({ seconds });
      const { ops, ms } = await child.next<{ ops: number; ms: number }>(seconds * 1000 + 30_000);
      return { opsPerSecond: (ops / ms) * 1000, usPerOp: (ms * 1000) / ops };
    },
  };
}
