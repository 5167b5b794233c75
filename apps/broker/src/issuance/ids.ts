import { randomBytes } from 'node:crypto';

/** 128 random bits, base64url: unguessable task ids and `jti`s (DESIGN.md §4). */
export function newRandomId(): string {
  return randomBytes(16).toString('base64url');
}
