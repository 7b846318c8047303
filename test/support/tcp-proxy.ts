// A TCP proxy on loopback in front of a real server (PostgreSQL, a fake vendor, the fake Slack),
// so a test can make the faults a network makes: cut every connection as a server restart does,
// refuse new ones as a stopped server does, or hold them silent as a black-holed route does.
import { createServer, connect, type Server, type Socket } from "node:net";

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  /** The port clients connect to; stays the same across stop() and start(). */
  port = 0;

  private constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  static async to(host: string, port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(host, port);
    await proxy.start();
    return proxy;
  }

  /** Rewrites a URL (postgresql://, http://) to go through the proxy. */
  url(target: string): string {
    const url = new URL(target);
    url.hostname = "127.0.0.1";
    url.port = String(this.port);
    return url.toString();
  }

  /** Listens again (on the same port) after stop(). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Ends every open connection abruptly, as a server that restarts does; new ones are accepted. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Cuts every connection and refuses new ones (ECONNREFUSED) until start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stops passing bytes either way, connections stay open: a route that went silent. */
  stall(stalled = true): void {
    this.stalled = stalled;
    for (const socket of this.sockets) {
      if (stalled) socket.pause();
      else socket.resume();
    }
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        this.sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
      if (this.stalled) socket.pause();
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
