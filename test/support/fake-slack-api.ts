// A fake Slack Web API on loopback. It checks the bot token as Slack does, refuses what Slack
// refuses (text and Block Kit limits, unknown messages and views), keeps the messages it was
// sent so tests can read the channel as a person would, and records every call.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { blockProblems, SURFACE_BLOCKS, viewProblems } from "./block-kit-limits.js";

type Params = Record<string, unknown>;

/** A Web API argument as the string Slack receives (form-encoded arguments are all strings). */
const str = (value: unknown): string =>
  typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);

export interface SlackCall {
  method: string;
  params: Params;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  updates: number;
  /** A reply: the ts of the message whose thread it is in. */
  thread?: string;
  /** When Slack took it (Date.now()). */
  postedAt: number;
  /** Which app's bot posted it: this app's unless a test says another posted it. */
  botId?: string;
  /** The message metadata it was posted with. */
  metadata?: { event_type: string; event_payload: Params };
}

export interface Response {
  url: string;
  body: Params;
}

type Handler = (params: Params) => Params;

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  /** Messages by "channel/ts", as they stand now. */
  readonly messages = new Map<string, StoredMessage>();
  readonly ephemerals: { channel: string; user: string; text: string }[] = [];
  /** What was posted to response_url endpoints. */
  readonly responses: Response[] = [];
  readonly views = new Map<string, { view: Params; hash: string; user?: string }>();
  readonly published = new Map<string, Params>();
  /** Slack users: id → email (null: no email on the profile). */
  readonly users = new Map<string, string | null>();
  readonly usergroups = new Map<string, string[]>();
  private server: Server | undefined;
  private readonly handlers = new Map<string, Handler>();
  private readonly original = new Map<string, Handler | undefined>();
  private readonly stalled = new Set<string>();
  private readonly held: (() => void)[] = [];
  private sequence = 0;

  /**
   * When set, chat.postMessage is limited as Slack limits it: about one message per second per
   * channel, a burst past that answered 429 with Retry-After. `rateLimited` counts those answers.
   */
  postsPerSecond: number | undefined;
  rateLimited = 0;
  private readonly lastPostAt = new Map<string, number>();

  /** While set, every Web API call answers 503 with an HTML page, as Slack's front end does in an outage. */
  outage = false;
  /** Calls Slack carries out and whose answer is then lost (the connection reset), by method: how many. */
  private readonly losing = new Map<string, number>();
  /** How many of the next response_url posts fail with a 500, as when Slack has an outage. */
  failingResponses = 0;

  /** Where apps.connections.open sends a Socket Mode app; its app token (xapp-) is checked. */
  socketMode: { url: string; appToken: string } | undefined;

  constructor(private readonly botToken: string) {
    this.handlers.set("auth.test", () => ({
      url: "https://acme.slack.com/",
      team: "Acme",
      user: "rolegate",
      team_id: "T0ACME",
      user_id: "U0ROLEGATE",
      bot_id: "B0ROLEGATE",
      app_id: "A0ROLEGATE",
    }));
    this.handlers.set("chat.postMessage", (p) => this.post(p));
    this.handlers.set("chat.update", (p) => this.update(p));
    this.handlers.set("conversations.history", (p) => this.history(p));
    this.handlers.set("chat.postEphemeral", (p) => {
      const problems = textProblems(p);
      if (problems.length) return { ok: false, error: "invalid_blocks", errors: problems };
      this.ephemerals.push({ channel: String(p.channel), user: String(p.user), text: String(p.text) });
      return { message_ts: this.nextTs() };
    });
    this.handlers.set("views.open", (p) => this.openView(p));
    this.handlers.set("views.update", (p) => this.updateView(p));
    this.handlers.set("views.publish", (p) => {
      const view = parse(p.view);
      const problems = viewProblems(view);
      if (problems.length) return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
      this.published.set(String(p.user_id), view);
      return { view: { id: `V${this.sequence++}` } };
    });
    this.handlers.set("users.info", (p) => {
      const id = String(p.user);
      if (!this.users.has(id)) return { ok: false, error: "user_not_found" };
      const email = this.users.get(id);
      return { user: { id, profile: email ? { email } : {} } };
    });
    this.handlers.set("usergroups.users.list", (p) => {
      const users = this.usergroups.get(String(p.usergroup));
      return users ? { users } : { ok: false, error: "no_such_subteam" };
    });
  }

  /** The API base URL to hand to the app (SLACK_API_URL). */
  get url(): string {
    return `${this.origin}/api/`;
  }

  get origin(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A fresh response_url, as Slack puts in each command or interaction. */
  responseUrl(): string {
    return `${this.origin}/respond/${this.sequence++}`;
  }

  on(method: string, handler: Handler): void {
    this.original.set(method, this.original.get(method) ?? this.handlers.get(method));
    this.handlers.set(method, handler);
  }

  /** Holds every call to `method` without an answer until release(): a Slack that is slow or hung. */
  stall(method: string): void {
    this.stalled.add(method);
  }

  /** The next `times` calls to `method` are carried out, and their answer lost: the connection is reset. */
  loseAnswers(method: string, times = 1): void {
    this.losing.set(method, times);
  }

  /** Answers the held calls, and answers at once from now on. */
  release(): void {
    this.stalled.clear();
    for (const go of this.held.splice(0)) go();
  }

  /** Puts back the handler `on` replaced. */
  restore(method: string): void {
    const handler = this.original.get(method);
    if (handler) this.handlers.set(method, handler);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  messagesIn(channel: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel);
  }

  /** All the text a message shows: its fallback and every text in its blocks. */
  static textOf(message: { text: string; blocks: unknown[] }): string {
    return [message.text, ...collectText(message.blocks)].join("\n");
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then(({ params }) => {
        const reply = (status: number, body: Params, headers: Record<string, string> = {}) => {
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(JSON.stringify(body));
        };
        const path = (req.url ?? "").split("?")[0]!;
        if (path.startsWith("/respond/")) {
          if (this.failingResponses > 0) {
            this.failingResponses--;
            return reply(500, { ok: false, error: "internal_error" });
          }
          const problems = [...textProblems(params)];
          if (problems.length) return reply(400, { ok: false, error: "invalid_blocks", errors: problems });
          this.responses.push({ url: path, body: params });
          return reply(200, { ok: true });
        }
        const method = path.replace(/^\/api\//, "");
        if (this.outage) {
          res.writeHead(503, { "content-type": "text/html" });
          return void res.end("<html><body>Service Unavailable</body></html>");
        }
        // Slack answers 200 with ok:false for auth problems, as here. Opening a Socket Mode
        // connection takes the app-level token; everything else the bot token.
        const expected = method === "apps.connections.open" ? this.socketMode?.appToken : this.botToken;
        if (!expected || req.headers.authorization !== `Bearer ${expected}`)
          return reply(200, { ok: false, error: "invalid_auth" });
        if (method === "apps.connections.open") {
          this.calls.push({ method, params });
          return reply(200, { ok: true, url: this.socketMode!.url });
        }
        if (method === "chat.postMessage" && this.postsPerSecond !== undefined) {
          const channel = str(params.channel);
          const now = Date.now();
          const wait = (this.lastPostAt.get(channel) ?? 0) + 1_000 / this.postsPerSecond - now;
          if (wait > 0) {
            this.rateLimited++;
            return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(Math.ceil(wait / 1_000)) });
          }
          this.lastPostAt.set(channel, now);
        }
        this.calls.push({ method, params });
        const handler = this.handlers.get(method);
        if (!handler) return reply(200, { ok: false, error: "unknown_method" });
        const answer = () => {
          const result = handler(params);
          const lose = this.losing.get(method) ?? 0;
          if (lose > 0) {
            this.losing.set(method, lose - 1);
            return void res.socket?.destroy();
          }
          reply(200, result.ok === false ? result : { ok: true, ...result });
        };
        if (this.stalled.has(method)) this.held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** As Slack's: the epoch second it was taken, and a part that keeps each one unique and in order. */
  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(this.sequence++).padStart(6, "0")}`;
  }

  private post(p: Params): Params {
    const problems = textProblems(p);
    if (problems.length)
      return {
        ok: false,
        error: problems[0]!.startsWith("text") ? "msg_too_long" : "invalid_blocks",
        errors: problems,
      };
    let channel = str(p.channel);
    if (!channel) return { ok: false, error: "channel_not_found" };
    // A user id opens the app's DM with that person.
    if (/^[UW]/.test(channel)) channel = `D${channel.slice(1)}`;
    const ts = this.nextTs();
    const thread = p.thread_ts ? str(p.thread_ts) : undefined;
    if (thread && !this.messages.has(`${channel}/${thread}`)) return { ok: false, error: "thread_not_found" };
    const metadata = p.metadata === undefined ? undefined : (parse(p.metadata) as StoredMessage["metadata"]);
    if (
      metadata &&
      (typeof metadata.event_type !== "string" ||
        !/^[A-Za-z0-9_]+$/.test(metadata.event_type) ||
        typeof metadata.event_payload !== "object")
    )
      return { ok: false, error: "invalid_metadata_format" };
    this.messages.set(`${channel}/${ts}`, {
      channel,
      ts,
      text: str(p.text),
      blocks: parse(p.blocks ?? []) as unknown as unknown[],
      updates: 0,
      postedAt: Date.now(),
      ...(thread ? { thread } : {}),
      ...(metadata ? { metadata } : {}),
    });
    return { channel, ts };
  }

  /** conversations.history: a channel's messages (not thread replies), newest first, paged by cursor. */
  private history(p: Params): Params {
    const channel = str(p.channel);
    const oldest = Number(p.oldest ?? 0);
    const limit = Math.min(Number(p.limit ?? 100), 999);
    const withMetadata = p.include_all_metadata === true || p.include_all_metadata === "true";
    const all = this.messagesIn(channel)
      .filter((m) => !m.thread && Number(m.ts) > oldest)
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const from = Number(p.cursor ?? 0);
    const page = all.slice(from, from + limit);
    const more = from + limit < all.length;
    return {
      messages: page.map((m) => ({
        type: "message",
        ts: m.ts,
        text: m.text,
        blocks: m.blocks,
        bot_id: m.botId ?? "B0ROLEGATE",
        ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
      })),
      has_more: more,
      response_metadata: { next_cursor: more ? String(from + limit) : "" },
    };
  }

  private update(p: Params): Params {
    const key = `${String(p.channel)}/${String(p.ts)}`;
    const existing = this.messages.get(key);
    if (!existing) return { ok: false, error: "message_not_found" };
    const problems = textProblems(p);
    if (problems.length) return { ok: false, error: "invalid_blocks", errors: problems };
    this.messages.set(key, {
      ...existing,
      text: str(p.text),
      blocks: parse(p.blocks ?? []) as unknown as unknown[],
      updates: existing.updates + 1,
    });
    return { channel: existing.channel, ts: existing.ts };
  }

  private openView(p: Params): Params {
    if (!p.trigger_id) return { ok: false, error: "invalid_trigger_id" };
    const view = parse(p.view);
    const problems = viewProblems(view);
    if (problems.length) return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
    const id = `V${this.sequence++}`;
    const hash = `h${this.sequence++}`;
    this.views.set(id, { view, hash });
    return { view: { ...view, id, hash } };
  }

  private updateView(p: Params): Params {
    const id = String(p.view_id);
    const existing = this.views.get(id);
    if (!existing) return { ok: false, error: "not_found" };
    if (p.hash && p.hash !== existing.hash) return { ok: false, error: "hash_conflict" };
    const view = parse(p.view);
    const problems = viewProblems(view);
    if (problems.length) return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
    const hash = `h${this.sequence++}`;
    this.views.set(id, { view, hash });
    return { view: { ...view, id, hash } };
  }
}

function parse(value: unknown): Params {
  return (typeof value === "string" ? JSON.parse(value) : value) as Params;
}

function textProblems(p: Params): string[] {
  const problems: string[] = [];
  if (typeof p.text === "string" && p.text.length > 40_000)
    problems.push(`text is ${p.text.length} characters; at most 40000`);
  if (p.blocks !== undefined) problems.push(...blockProblems(parse(p.blocks), SURFACE_BLOCKS.message));
  if (p.text === undefined && p.blocks === undefined && p.delete_original === undefined) problems.push("no_text");
  return problems;
}

function collectText(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectText);
  if (value && typeof value === "object") {
    const record = value as Params;
    const own = typeof record.text === "string" ? [record.text] : [];
    return [
      ...own,
      ...Object.entries(record)
        .filter(([k]) => k !== "text" || typeof record.text !== "string")
        .flatMap(([, v]) => collectText(v)),
    ];
  }
  return [];
}

async function readBody(req: IncomingMessage): Promise<{ params: Params }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) return { params: body ? JSON.parse(body) : {} };
  return { params: Object.fromEntries(new URLSearchParams(body)) };
}
