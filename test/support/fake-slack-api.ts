// A fake Slack Web API on loopback: it checks the bot token like Slack does and records every
// call. It answers what rolegate uses; the Slack app's tests grow it method by method.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
}

type Handler = (params: Record<string, unknown>) => Record<string, unknown>;

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  private server: Server | undefined;
  private readonly handlers = new Map<string, Handler>();

  constructor(private readonly botToken: string) {
    this.handlers.set("auth.test", () => ({ url: "https://acme.slack.com/", team: "Acme", user: "rolegate", team_id: "T0ACME", user_id: "U0ROLEGATE", bot_id: "B0ROLEGATE" }));
  }

  /** The API base URL to hand to the app (SLACK_API_URL). */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/`;
  }

  on(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readParams(req).then((params) => {
        const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0]!;
        const reply = (body: Record<string, unknown>) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        // Slack answers 200 with ok:false for auth problems, as here.
        if (req.headers.authorization !== `Bearer ${this.botToken}`) return reply({ ok: false, error: "invalid_auth" });
        this.calls.push({ method, params });
        const handler = this.handlers.get(method);
        reply(handler ? { ok: true, ...handler(params) } : { ok: false, error: "unknown_method" });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) return body ? JSON.parse(body) : {};
  return Object.fromEntries(new URLSearchParams(body));
}
