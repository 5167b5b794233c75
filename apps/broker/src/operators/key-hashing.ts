import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id parameters at OWASP's minimum (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1).
 * The secret is 256 random bits, so the hash guards a stolen database, not a weak password.
 */
export const ARGON2_MEMORY_COST_KIB = 19_456;
export const ARGON2_TIME_COST = 2;
export const ARGON2_PARALLELISM = 1;
/** `Algorithm.Argon2id`; the package's enum is an ambient const enum, unusable with isolatedModules. */
const ARGON2ID = 2;

export type VerifyHash = (hash: string, secret: string) => Promise<boolean>;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, {
    algorithm: ARGON2ID,
    memoryCost: ARGON2_MEMORY_COST_KIB,
    timeCost: ARGON2_TIME_COST,
    parallelism: ARGON2_PARALLELISM,
  });
}

/** Parameters come from the PHC string; a malformed hash is a failed verification, never a throw. */
export const verifySecret: VerifyHash = async (hashed, secret) => {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
};
