import { randomBytes, randomInt } from 'node:crypto';

/**
 * Operator API keys: `writ_<id>_<secret>`. The id is public (looked up, logged, audited); only
 * an argon2id hash of the secret is stored.
 */
export const OPERATOR_KEY_PREFIX = 'writ_';
export const KEY_ID_LENGTH = 16;
export const SECRET_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
const SECRET_LENGTH = 43;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_PATTERN = /^[a-z2-7]{16}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const KEY_LENGTH = OPERATOR_KEY_PREFIX.length + KEY_ID_LENGTH + 1 + SECRET_LENGTH;

export interface ParsedOperatorKey {
  id: string;
  secret: string;
}

export interface GeneratedOperatorKey extends ParsedOperatorKey {
  /** The full key, shown to its owner once. */
  key: string;
}

/** 16 base32 characters: 80 random bits, enough that ids never collide in practice. */
export function generateKeyId(): string {
  let id = '';
  for (let i = 0; i < KEY_ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

export function isKeyId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function formatOperatorKey(id: string, secret: string): string {
  return `${OPERATOR_KEY_PREFIX}${id}_${secret}`;
}

export function generateOperatorKey(id: string = generateKeyId()): GeneratedOperatorKey {
  const secret = generateSecret();
  return { id, secret, key: formatOperatorKey(id, secret) };
}

/**
 * Strict parse: exact prefix, id and secret alphabets and lengths. Anything else is null, so a
 * malformed key costs neither a store read nor an argon2 run.
 */
export function parseOperatorKey(key: string): ParsedOperatorKey | null {
  if (key.length !== KEY_LENGTH || !key.startsWith(OPERATOR_KEY_PREFIX)) return null;
  const id = key.slice(OPERATOR_KEY_PREFIX.length, OPERATOR_KEY_PREFIX.length + KEY_ID_LENGTH);
  const separator = key[OPERATOR_KEY_PREFIX.length + KEY_ID_LENGTH];
  const secret = key.slice(OPERATOR_KEY_PREFIX.length + KEY_ID_LENGTH + 1);
  if (separator !== '_' || !ID_PATTERN.test(id) || !SECRET_PATTERN.test(secret)) return null;
  return { id, secret };
}

/** RFC 6750 §2.1: `Bearer <token>`, scheme case-insensitive, exactly one space-separated token. */
export function readBearer(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(authorization);
  return match?.[1] ?? null;
}
