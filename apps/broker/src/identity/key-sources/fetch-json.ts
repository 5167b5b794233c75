import { KeySetLoadError } from './key-set.js';
import { isFetchableUrl } from './url-policy.js';

export interface FetchJsonOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  /** Aborts the request when the verifier closes. */
  signal: AbortSignal;
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new KeySetLoadError('too_large', `body exceeds ${maxBytes} bytes`);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function classifyFailure(error: unknown, timeout: AbortSignal): KeySetLoadError {
  if (error instanceof KeySetLoadError) return error;
  if (timeout.aborted) return new KeySetLoadError('timeout', 'request timed out', { cause: error });
  return new KeySetLoadError('network', 'request failed', { cause: error });
}

/**
 * GETs a small JSON document for key material. Redirects are refused (a redirect could move the
 * trust anchor elsewhere), the whole exchange is bounded by `timeoutMs`, and the body is read as a
 * stream and dropped once it passes `maxBytes`, so a hostile or broken endpoint costs bounded time
 * and memory.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  if (!isFetchableUrl(url)) throw new KeySetLoadError('invalid_set', 'URL is not https or loopback http');
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([timeout, options.signal]);
  let bytes: Uint8Array;
  try {
    const response = await options.fetch(url, {
      method: 'GET',
      redirect: 'error',
      signal,
      headers: { accept: 'application/json, application/jwk-set+json' },
    });
    if (response.redirected || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel().catch(() => {});
      throw new KeySetLoadError('redirect', `redirect refused (${response.status})`);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new KeySetLoadError('status', `unexpected status ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > options.maxBytes || response.body === null) {
      await response.body?.cancel().catch(() => {});
      throw new KeySetLoadError(
        response.body === null ? 'not_json' : 'too_large',
        'body missing or too large',
      );
    }
    bytes = await readCapped(response.body, options.maxBytes);
  } catch (error) {
    throw classifyFailure(error, timeout);
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new KeySetLoadError('not_json', 'body is not JSON', { cause: error });
  }
}
