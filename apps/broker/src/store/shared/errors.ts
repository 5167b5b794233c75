/** The store could not answer (down, timed out, read-only, out of memory): the answer is unknown → 503. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** The dataset marker is gone or changed: Redis lost its data, so nothing it says can be trusted. */
export class DatasetLostError extends StoreUnavailableError {
  override name = 'DatasetLostError';
}

/** Redis is configured so that it could silently drop state (eviction policy); the broker must not start. */
export class UnsafeStoreConfigError extends Error {
  override name = 'UnsafeStoreConfigError';
}

/** A caller passed something the store cannot hold (an id unusable in a key, a bad limit): a bug, not an outage. */
export class InvalidStoreInputError extends Error {
  override name = 'InvalidStoreInputError';
}

/** A page cursor that no store call produced (tampered with, or from another endpoint): a client error. */
export class InvalidCursorError extends InvalidStoreInputError {
  override name = 'InvalidCursorError';
}
