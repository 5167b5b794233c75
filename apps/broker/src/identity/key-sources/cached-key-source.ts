import { createLocalJWKSet, type LocalJWKSet } from 'jose';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { IdentityUnavailableError } from '../errors.js';
import { KeySetLoadError, type LoadedKeySet } from './key-set.js';

/** The keys of one issuer, as the verifier consumes them. */
export interface KeySource {
  /** The cached keys; loads them when nothing is cached. Throws IdentityUnavailableError if it can't. */
  getKeys(): Promise<LocalJWKSet>;
  /**
   * Called after a token named a key the cached set lacks: reloads at most once per cooldown.
   * Returns the new keys, or undefined while the cooldown holds (the cached set has decided).
   * Throws IdentityUnavailableError when the reload fails: no key available can decide.
   */
  refreshForUnknownKey(): Promise<LocalJWKSet | undefined>;
  close(): void;
}

export interface CachedKeySourceOptions {
  issuerId: string;
  /** Loads and validates the set; `signal` aborts when the source closes. */
  load(signal: AbortSignal): Promise<LoadedKeySet>;
  /** Seconds between scheduled reloads, given the publisher's hint; undefined = never reload. */
  refreshSeconds(hint: number | undefined): number | undefined;
  cooldownMs: number;
  clock: Clock;
  logger: Logger;
}

const EMPTY_RETRY_MS = 5000;

interface CacheEntry {
  keys: LocalJWKSet;
  loadedAtMs: number;
  refreshMs: number | undefined;
}

/**
 * Caches one issuer's key set. A stale set is refreshed in the background while the cached one
 * keeps answering (a refresh failure is logged, not fatal); an unknown `kid` forces at most one
 * reload per cooldown, so a flood of random `kid`s cannot turn the broker into a traffic amplifier
 * against the issuer.
 */
export function createCachedKeySource(options: CachedKeySourceOptions): KeySource {
  const { clock, logger, issuerId } = options;
  const closing = new AbortController();
  let entry: CacheEntry | undefined;
  let inflight: Promise<CacheEntry> | undefined;
  let lastAttemptMs = Number.NEGATIVE_INFINITY;
  let lastFailureMs = Number.NEGATIVE_INFINITY;

  function reload(): Promise<CacheEntry> {
    if (inflight) return inflight;
    lastAttemptMs = clock.nowMs();
    const attempt = (async () => {
      const loaded = await options.load(closing.signal);
      let keys: LocalJWKSet;
      try {
        keys = createLocalJWKSet(loaded.jwks);
      } catch (error) {
        throw new KeySetLoadError('invalid_set', 'jose refused the set', { cause: error });
      }
      const refreshSeconds = options.refreshSeconds(loaded.refreshHintSeconds);
      entry = {
        keys,
        loadedAtMs: clock.nowMs(),
        refreshMs: refreshSeconds === undefined ? undefined : refreshSeconds * 1000,
      };
      logger.debug({ issuerId, keys: loaded.jwks.keys.length }, 'identity key set loaded');
      return entry;
    })();
    inflight = attempt;
    attempt.then(
      () => {
        inflight = undefined;
      },
      (error: unknown) => {
        inflight = undefined;
        lastFailureMs = clock.nowMs();
        const kind = error instanceof KeySetLoadError ? error.kind : 'unexpected';
        logger.warn({ issuerId, kind, cached: entry !== undefined }, 'identity key set load failed');
      },
    );
    return attempt;
  }

  async function reloadOrUnavailable(): Promise<CacheEntry> {
    try {
      return await reload();
    } catch (error) {
      throw new IdentityUnavailableError(issuerId, { cause: error });
    }
  }

  function isStale(current: CacheEntry, now: number): boolean {
    return current.refreshMs !== undefined && now - current.loadedAtMs >= current.refreshMs;
  }

  return {
    async getKeys() {
      const now = clock.nowMs();
      if (entry === undefined) {
        // With nothing cached, a failed load is retried only after a short backoff, so a flood of
        // tokens for an unreachable issuer does not become a flood of requests to it.
        if (inflight === undefined && now - lastFailureMs < Math.min(options.cooldownMs, EMPTY_RETRY_MS)) {
          throw new IdentityUnavailableError(issuerId);
        }
        return (await reloadOrUnavailable()).keys;
      }
      if (isStale(entry, now) && now - lastAttemptMs >= options.cooldownMs && !closing.signal.aborted) {
        reload().catch(() => {});
      }
      return entry.keys;
    },
    async refreshForUnknownKey() {
      const coolingDown = clock.nowMs() - lastAttemptMs < options.cooldownMs || closing.signal.aborted;
      if (inflight === undefined && coolingDown) return undefined;
      return (await reloadOrUnavailable()).keys;
    },
    close() {
      closing.abort();
    },
  };
}
