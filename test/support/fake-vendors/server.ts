// The common part of every fake vendor: a real HTTP server on loopback that records each
// request exactly as it arrived, routes it to the vendor's own behaviour, and can be told to
// misbehave the way real vendors do (an error status with the vendor's body and headers, a body
// that is not JSON, or no answer at all).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body and, when it is JSON, its value. */
  raw: string;
  json: unknown;
  /** When it arrived (performance.now()), for the benches' latencies. */
  at: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON (a bare string, or malformed JSON). */
  raw?: string;
}

/** An answer of its own, no answer ever (hang), or the usual answer only after `delayMs`. */
export type Fault = Answer | { hang: true } | { delayMs: number };

export abstract class FakeVendorServer {
  readonly received: Received[] = [];
  private faults: { when: (r: Received) => boolean; fault: Fault }[] = [];
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  /** The vendor's behaviour for a request that is not made to fail. */
  protected abstract route(request: Received): Answer;

  get origin(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The next request matching `when` (default: any) gets `fault` instead of its answer. */
  failNext(fault: Fault, when: (r: Received) => boolean = () => true): void {
    this.faults.push({ when, fault });
  }

  /** Requests other than the reads a connector makes to find things out. */
  writes(): Received[] {
    return this.received.filter((r) => r.method !== "GET" && !this.isReadPost(r));
  }

  protected isReadPost(_r: Received): boolean {
    return false;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", "http://fake");
        let json: unknown;
        try {
          json = raw ? JSON.parse(raw) : null;
        } catch {
          json = null;
        }
        const received: Received = {
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          raw,
          json,
          at: performance.now(),
        };
        this.received.push(received);
        const i = this.faults.findIndex((f) => f.when(received));
        const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : null;
        if (fault && "hang" in fault) {
          this.hanging.add(res);
          return;
        }
        // A slow vendor acts at once and answers late, as a real one behind a slow network would.
        const answer = fault && !("delayMs" in fault) ? fault : this.route(received);
        const send = () => {
          res.writeHead(answer.status, {
            "content-type": answer.raw !== undefined ? "text/plain" : "application/json",
            ...answer.headers,
          });
          res.end(answer.raw ?? (answer.body === undefined ? "" : JSON.stringify(answer.body)));
        };
        if (fault && "delayMs" in fault) setTimeout(send, fault.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
