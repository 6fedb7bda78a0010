// A TCP proxy in front of Postgres or Redis that a test can cut and restore: the network fault a
// process sees when its database host goes away (open connections reset, new ones refused) and
// comes back on the same address. The shared local services themselves are never touched.
import net from 'node:net';
import { once } from 'node:events';

export interface TcpProxy {
  /** host:port of the proxy; point a process's DATABASE_URL or REDIS_URL at it. */
  readonly port: number;
  /** Resets every open connection and refuses new ones. */
  cut(): Promise<void>;
  /**
   * From now on, what the target sends is dropped instead of passed on (requests still go
   * through): with cut() after it, a reply lost on the way back after the target acted on the request.
   */
  dropReplies(): void;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const createServer = () =>
    net.createServer((downstream) => {
      track(downstream);
      const upstream = net.connect(targetPort, targetHost);
      track(upstream);
      downstream.pipe(upstream);
      // By hand rather than piped, to drop replies on demand; with pipe()'s backpressure.
      upstream.on('data', (chunk: Buffer) => {
        if (droppingReplies) return;
        if (!downstream.write(chunk)) {
          upstream.pause();
          downstream.once('drain', () => upstream.resume());
        }
      });
      upstream.once('close', () => downstream.destroy());
      downstream.once('close', () => upstream.destroy());
    });

  let droppingReplies = false;
  let server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;

  const stopListening = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.resetAndDestroy();
    await closed;
  };

  return {
    port,
    cut: stopListening,
    dropReplies() {
      droppingReplies = true;
    },
    async restore() {
      droppingReplies = false;
      if (listening) return;
      server = createServer();
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      listening = true;
    },
    close: stopListening,
  };
}

/** The same URL, pointed at another port on loopback. */
export function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}
