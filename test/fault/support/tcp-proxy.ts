import { AddressInfo, Server, Socket, createConnection, createServer } from 'node:net';

/**
 * A loopback TCP proxy between clients and a broker that a fault test can cut at will:
 * every connection through it can be destroyed at once, as a network partition or a load balancer reset would;
 * or left looking open to the client while it is dead (a container frozen while its connection went away).
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** Connections accepted since start (also the sequence number the next one gets, counting from 0). */
  readonly acceptedConnections: number;
  /** Destroys every open connection (both sides). Returns how many were cut. */
  cutAll(): number;
  /**
   * The broker's side goes away while the client notices nothing: the upstream socket closes, the client's stays
   * open until the client next writes, and is then reset — what a thawed container finds when the broker closed
   * its connection (missed heartbeats) during the freeze. Only connections accepted as number `from` or later.
   * Returns how many were made stale.
   */
  staleAll(from?: number): number;
  /**
   * The network path drops silently: nothing more is forwarded either way and no side is closed, as when a NAT
   * mapping or a route disappears. Only connections accepted as number `from` or later. Returns how many.
   */
  blackholeAll(from?: number): number;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly sequence: number;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: targetHost });
    const pair: Pair = { client, upstream, sequence: accepted };
    accepted += 1;
    pairs.add(pair);
    const teardown = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cutAll = (): number => {
    const n = pairs.size;
    for (const { client, upstream } of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    return n;
  };
  /** Stops forwarding on the pairs from `from` on, and hands each to `then`. */
  const detach = (from: number, then: (pair: Pair) => void): number => {
    const chosen = [...pairs].filter((pair) => pair.sequence >= from);
    for (const pair of chosen) {
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      then(pair);
    }
    return chosen.length;
  };
  return {
    port,
    get openConnections() {
      return pairs.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    cutAll,
    staleAll: (from = 0) =>
      detach(from, ({ client, upstream }) => {
        upstream.removeAllListeners('close');
        upstream.on('error', () => undefined);
        upstream.destroy();
        // The client's next bytes meet a peer that no longer knows the connection: a TCP reset.
        client.once('data', () => client.resetAndDestroy());
        // Unpiping paused the socket; without flowing again it would never see those bytes.
        client.resume();
      }),
    blackholeAll: (from = 0) =>
      detach(from, ({ client, upstream }) => {
        // Read and drop, so that neither side sees back-pressure or a close.
        client.on('data', () => undefined).resume();
        upstream.on('data', () => undefined).resume();
      }),
    close() {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
