import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be delivered: any organization may create a subscription, so a destination inside the
 * operator's network (the database, Redis, a cloud metadata endpoint at 169.254.169.254) would let it make the worker
 * send requests there. Loopback, private, link-local, carrier-grade NAT, unspecified and multicast addresses are refused
 * unless the operator allows them (SUBSCRIPTION_ALLOW_PRIVATE_DESTINATIONS, for a closed network or tests).
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** Null for a public address; otherwise why it is refused. `address` is an IP literal. */
export function internalAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  const family = isIP(mapped ?? bare);
  if (!family) return null;
  return INTERNAL.check(mapped ?? bare, family === 4 ? 'ipv4' : 'ipv6') ? `${bare} is a loopback, private or link-local address` : null;
}

/** A destination host refused before any lookup: an internal IP literal, or a name that always means this machine. */
export function internalHost(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} names this machine`;
  return internalAddress(host);
}
