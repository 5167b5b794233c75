/** Time source for domain code, so tests can freeze it. Seconds since the epoch, like JWT NumericDate. */
export interface Clock {
  nowSeconds(): number;
  nowMs(): number;
}

export const systemClock: Clock = {
  nowSeconds: () => Math.floor(Date.now() / 1000),
  nowMs: () => Date.now(),
};

/** A clock tests can move by hand. */
export function createFixedClock(
  startMs: number,
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = startMs;
  return {
    nowSeconds: () => Math.floor(now / 1000),
    nowMs: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}
