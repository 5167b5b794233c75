/**
 * Bounds argon2 work: at most `maxConcurrent` verifications run (each holds a libuv thread and
 * ~19 MiB), at most `maxQueued` wait. Beyond that a caller is refused at once rather than
 * queued, so a flood cannot occupy the threadpool the token endpoint's crypto also needs.
 */
export interface VerificationGate {
  /** A promise of the release function, or null when the wait queue is full. */
  enter(): Promise<() => void> | null;
  readonly running: number;
  readonly queued: number;
}

export interface VerificationGateOptions {
  maxConcurrent: number;
  maxQueued: number;
}

export function createVerificationGate(options: VerificationGateOptions): VerificationGate {
  const { maxConcurrent, maxQueued } = options;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new Error('maxConcurrent must be a positive integer');
  }
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new Error('maxQueued must be an integer ≥ 0');
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const releaseOnce = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };

  return {
    enter() {
      if (running < maxConcurrent) {
        running++;
        return Promise.resolve(releaseOnce());
      }
      if (waiting.length >= maxQueued) return null;
      // The slot passes straight from the releasing holder to the next waiter: `running` stays.
      return new Promise((resolve) => waiting.push(() => resolve(releaseOnce())));
    },
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
  };
}
