import { isIPv6 } from 'node:net';

/**
 * The bucket a client address is counted in by every per-address limit: one per IPv6 /64 (what
 * one host or customer typically holds, so rotating addresses inside it buys nothing); IPv4
 * addresses, IPv4-mapped ones and non-address sources count as they are.
 */
export function addressBucket(source: string): string {
  const address = source.split('%')[0] ?? source;
  if (!isIPv6(address) || /^::ffff:/i.test(address)) return source;
  const [head = '', tail] = address.toLowerCase().split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
