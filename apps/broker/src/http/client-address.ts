import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Where a request came from, given its TCP peer and its `X-Forwarded-For` header. */
export interface ClientAddressResolver {
  (socketAddress: string | undefined, forwardedFor?: string): string;
  /** Whether a TCP peer is one of the trusted proxies (it then carries many clients). */
  isTrustedProxy(socketAddress: string | undefined): boolean;
}

/** In-process requests (tests) have no socket: they all share this address. */
export const UNKNOWN_ADDRESS = 'unknown';
/** More hops than any real proxy chain; a longer header is not walked further (bounded work). */
const MAX_HOPS = 32;

/**
 * The one rule for "which client is this", used by every per-address limit, the audit trail and
 * the logs. With no trusted proxies the socket's peer is the client and `X-Forwarded-For` is
 * ignored (anyone can write it). Otherwise the header is walked right to left — each trusted hop
 * appends the address it received the request from — skipping trusted proxy addresses; the first
 * address that is not a trusted proxy is the client. A hop that is not an IP address ends the
 * walk at the nearest trusted proxy (a proxy writes addresses; anything else came from the client).
 *
 * `trustedProxies` are CIDRs (`10.0.0.0/8`, `fd00::/8`) or single addresses, validated by config.
 */
export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressResolver {
  if (trustedProxies.length === 0) {
    return Object.assign((socketAddress: string | undefined) => normalize(socketAddress ?? UNKNOWN_ADDRESS), {
      isTrustedProxy: () => false,
    });
  }
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [network = '', prefix] = entry.split('/');
    const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
    trusted.addSubnet(
      network,
      prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix),
      family,
    );
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };

  const resolve = (socketAddress: string | undefined, forwardedFor?: string) => {
    let client = normalize(socketAddress ?? UNKNOWN_ADDRESS);
    if (!forwardedFor || !isTrusted(client)) return client;
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0 && i >= hops.length - MAX_HOPS; i--) {
      const hop = normalize((hops[i] ?? '').trim());
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(hop)) return client;
    }
    return client;
  };
  return Object.assign(resolve, {
    isTrustedProxy: (socketAddress: string | undefined) => isTrusted(normalize(socketAddress ?? '')),
  });
}

/** The TCP peer in the form client addresses use (IPv4-mapped IPv6 as plain IPv4). */
export function socketAddressOf(socketAddress: string | undefined): string {
  return normalize(socketAddress ?? UNKNOWN_ADDRESS);
}

/** The client of a raw Node request (before Hono): same rule, same answer. */
export function clientAddressOfRequest(resolve: ClientAddressResolver, req: IncomingMessage): string {
  const header = req.headers['x-forwarded-for'];
  return resolve(req.socket.remoteAddress, Array.isArray(header) ? header.join(',') : header);
}

/**
 * A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`; the plain IPv4 form is the one
 * `trusted_proxies` and operators write, and one client must not have two spellings.
 */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}
