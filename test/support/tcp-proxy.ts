import { connect, createServer, type Server, type Socket } from 'node:net';

/** One client connection through the proxy, and what is held of it. */
interface Link {
  client: Socket;
  upstream: Socket;
  /** Bytes from the client not yet delivered to the server (while held), in order. */
  toServer: Buffer[];
  /** Bytes from the server not yet delivered to the client (while held), in order. */
  toClient: Buffer[];
  clientClosed: boolean;
  serverClosed: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a nats-server, standing for the network of one client (an
 * app instance): connect that client to {@link url}, everyone else to the server itself. It can
 * cut every connection at once (a network blip, a node restart behind a load balancer), or hold
 * every byte in both directions and deliver them later in order (a network that stalls; TCP
 * retransmits until it gets through).
 *
 * @example
 * const proxy = await TcpProxy.start(server.port);
 * const app = await startStreamsApp({ connection: { servers: proxy.url } });
 * proxy.cut(); // the app's connections drop; they may connect again
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private holding = false;
  private refusingUntil = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
    /** The proxy's port. */
    readonly port: number,
  ) {}

  /** Starts a proxy to 127.0.0.1:`targetPort` on a free port. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    const proxy = new TcpProxy(server, targetPort, port);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  /** The client URL through the proxy, `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** How many client connections are open through it. */
  get connections(): number {
    return this.links.size;
  }

  /**
   * Closes every connection through the proxy at once, both sides, dropping whatever is held or
   * in flight in the proxy; for `outageMs` new connections are closed as soon as they open (the
   * network is down), then they go through as usual.
   */
  cut(outageMs = 0): void {
    this.refusingUntil = Date.now() + outageMs;
    for (const link of [...this.links]) this.drop(link);
  }

  /**
   * Holds every byte in both directions, of open connections and of those made meanwhile, and
   * the closing of either side: neither side hears from the other until {@link release}.
   */
  hold(): void {
    this.holding = true;
  }

  /**
   * Delivers what was held, in order, and forwards as usual again. Bytes for a side that closed
   * meanwhile are dropped (TCP would answer them with a reset); a side whose peer closed is
   * closed once it got what its peer sent before.
   */
  release(): void {
    this.holding = false;
    for (const link of [...this.links]) {
      if (!link.serverClosed) for (const chunk of link.toServer.splice(0)) link.upstream.write(chunk);
      if (!link.clientClosed) for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
      if (link.clientClosed || link.serverClosed) this.drop(link);
    }
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (Date.now() < this.refusingUntil) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    const link: Link = { client, upstream, toServer: [], toClient: [], clientClosed: false, serverClosed: false };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (this.holding) link.toServer.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.holding) link.toClient.push(chunk);
      else client.write(chunk);
    });
    const closed = (side: 'clientClosed' | 'serverClosed') => () => {
      link[side] = true;
      // While held, the other side hears of it only on release.
      if (!this.holding) this.drop(link);
    };
    client.on('close', closed('clientClosed'));
    upstream.on('close', closed('serverClosed'));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  }

  private drop(link: Link): void {
    this.links.delete(link);
    link.toServer.length = 0;
    link.toClient.length = 0;
    link.client.destroy();
    link.upstream.destroy();
  }
}
