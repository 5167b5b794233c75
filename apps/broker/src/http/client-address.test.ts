import { describe, expect, it } from 'vitest';
import { createClientAddressResolver } from './client-address.js';

describe('client address (trusted_proxies)', () => {
  it('without trusted proxies uses the socket address and ignores X-Forwarded-For', () => {
    const resolve = createClientAddressResolver([]);
    expect(resolve('10.0.0.5', '203.0.113.9')).toBe('10.0.0.5');
    expect(resolve('::ffff:10.0.0.5', undefined)).toBe('10.0.0.5');
    expect(resolve(undefined, '203.0.113.9')).toBe('unknown');
  });

  it('walks X-Forwarded-For right to left through trusted hops only', () => {
    const resolve = createClientAddressResolver(['10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    // The load balancer (trusted) appended the client's address.
    expect(resolve('10.1.1.1', '203.0.113.9')).toBe('203.0.113.9');
    // A client-written entry to the left of the real client is never reached.
    expect(resolve('10.1.1.1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    // Two trusted hops (an ingress behind the load balancer), IPv6 and a single address.
    expect(resolve('::ffff:10.1.1.1', '2001:db8::1, fd00::2, 192.0.2.7')).toBe('2001:db8::1');
    // An untrusted peer's header is ignored entirely.
    expect(resolve('198.51.100.1', '203.0.113.9')).toBe('198.51.100.1');
    // No header from a trusted peer: the peer itself.
    expect(resolve('10.1.1.1', undefined)).toBe('10.1.1.1');
    // A hop that is not an address stops the walk at the nearest trusted proxy.
    expect(resolve('10.1.1.1', '203.0.113.9, garbage')).toBe('10.1.1.1');
    // Every hop trusted: the leftmost.
    expect(resolve('10.1.1.1', '10.2.2.2, 10.3.3.3')).toBe('10.2.2.2');
  });
});
