// Local ports for tests of unreachable services.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

/** A local port nothing listens on (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
