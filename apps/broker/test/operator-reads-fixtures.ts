import { expect } from 'vitest';
import type { TestBroker } from './support/test-broker.js';

export async function get(t: TestBroker, path: string, key?: string): Promise<Response> {
  return t.app.request(path, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
}

export async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const body = (await res.json()) as T;
  expect({ status: res.status, body }).toMatchObject({ status });
  return body;
}
