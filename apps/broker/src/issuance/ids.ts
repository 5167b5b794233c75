import { randomBytes } from 'node:crypto';

/** 128 random bits, base64url: unguessable task ids and `jti`s (docs/tokens.md). */
export function newRandomId(): string {
  return randomBytes(16).toString('base64url');
}
