// The store's public surface: the rest of the broker imports the store from here, never from a
// file inside store/. The rooms: port/ (the WritStore contract), shared/ (the rules both
// implementations use: keys, records, liveness, budgets, input checks, errors), memory/ (dev mode
// and tests) and redis/ (production, with its Lua scripts in redis/lua/).

export type { StoreSnapshot } from './memory/keyspace.js';
export { createMemoryStore } from './memory/store.js';
export type * from './port/index.js';
export { createRedisStore, type RedisStoreOptions } from './redis/store.js';
export {
  DatasetLostError,
  InvalidCursorError,
  InvalidStoreInputError,
  StoreUnavailableError,
} from './shared/errors.js';
export { compareStreamIds, isStreamId, REVOCATION_SKEW_SECONDS } from './shared/revocation-records.js';
