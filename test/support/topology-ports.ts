// Where the extra test topologies listen (scripts/test-topologies.sh starts them), and a probe
// that says whether they are up. Free of vitest imports: vitest.config.ts uses it.
import { connect } from 'node:net';

export const REDIS_CLUSTER_PORTS = [7201, 7202, 7203] as const;
/** REDIS_CLUSTER_NODES for the loopback cluster. */
export const REDIS_CLUSTER_NODES = REDIS_CLUSTER_PORTS.map((port) => `127.0.0.1:${port}`).join(',');
/** host:port of PgBouncer (transaction mode) in front of the local Postgres. */
export const PGBOUNCER_ADDRESS = '127.0.0.1:6432';

/** True when something accepts TCP connections on `address` (host:port) within a second. */
export function listening(address: string): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const finish = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/** Every address answers. */
export async function allListening(addresses: readonly string[]): Promise<boolean> {
  const answers = await Promise.all(addresses.map(listening));
  return answers.every(Boolean);
}
