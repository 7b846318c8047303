// Slack's Socket Mode endpoint, faked on loopback: the app opens a WebSocket here (the URL the
// fake Web API's apps.connections.open hands out), is greeted with "hello", receives envelopes,
// and must acknowledge each by its envelope_id — as with Slack, within three seconds.
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export class FakeSocketMode {
  readonly acks: Ack[] = [];
  private server: WebSocketServer | undefined;
  private socket: WebSocket | undefined;
  private sequence = 0;

  get url(): string {
    return `ws://127.0.0.1:${(this.server!.address() as AddressInfo).port}/link`;
  }

  async start(): Promise<void> {
    this.server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    this.server.on("connection", (socket) => {
      this.socket = socket;
      socket.on("message", (data) => this.acks.push(JSON.parse((data as Buffer).toString("utf8")) as Ack));
      socket.send(
        JSON.stringify({
          type: "hello",
          num_connections: 1,
          debug_info: { host: "fake" },
          connection_info: { app_id: "A0ROLEGATE" },
        }),
      );
    });
    await new Promise<void>((resolve) => this.server!.once("listening", () => resolve()));
  }

  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  /** Sends an envelope, as Slack does, and returns its id. */
  deliver(type: "slash_commands" | "interactive" | "events_api", payload: Record<string, unknown>): string {
    const envelope_id = `env-${this.sequence++}`;
    this.socket!.send(
      JSON.stringify({
        envelope_id,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        retry_attempt: 0,
        retry_reason: "",
      }),
    );
    return envelope_id;
  }

  ackFor(id: string): Ack | undefined {
    return this.acks.find((a) => a.envelope_id === id);
  }

  async stop(): Promise<void> {
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
