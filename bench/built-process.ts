// The built rolegate as production runs it — `node <npm start's flags> dist/main.js` — on a
// PostgreSQL database, against the fake Slack (SLACK_API_URL), driven the way Slack drives it:
// signed slash commands and signed clicks on /slack/events. The soak and the burst benches
// share it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { startNode } from "../test/support/script.js";
import { signedHeaders } from "../test/support/slack-signature.js";
import { freePort, waitFor } from "../test/support/wait.js";

export const BOT_TOKEN = "xoxb-bench-0001";
const SIGNING_SECRET = "bench-signing-secret";

export interface BuiltRolegate {
  origin: string;
  pid: number;
  /** A signed POST to /slack/events; resolves when rolegate has answered 200 (Slack's ack). */
  post(body: string): Promise<void>;
  /** Posts `/role <text>` as `user`, its reply going to `responseUrl`. */
  command(user: string, text: string, responseUrl: string): Promise<void>;
  /** Clicks `actionId` on request `id`'s card as `user`. */
  click(user: string, actionId: string, id: string): Promise<void>;
  /** Whatever the process has printed, and whether it is still running. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/**
 * Compiles dist/ and starts it with `config` as its rolegate.yml, on PostgreSQL at `databaseUrl`
 * or, without one, on the embedded database. `env` adds what the targets
 * need (their credentials); SOAK_NODE_FLAGS replaces npm start's node flags.
 */
export async function startBuiltRolegate(options: {
  databaseUrl: string | undefined;
  slack: FakeSlackApi;
  config: string;
  env: Record<string, string>;
}): Promise<BuiltRolegate> {
  await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"]);
  const dir = await mkdtemp(join(tmpdir(), "rolegate-bench-"));
  await writeFile(join(dir, "rolegate.yml"), options.config);
  const port = await freePort();
  const flags = process.env.SOAK_NODE_FLAGS?.split(" ").filter(Boolean) ?? startFlags();
  const rolegate = startNode(
    [...flags, join(process.cwd(), "dist/main.js")],
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: options.slack.url,
      PORT: String(port),
      // No DATABASE_URL: the embedded database, in the working directory.
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { ROLEGATE_DATA_DIR: join(dir, "data") }),
      LOG_LEVEL: "warn",
      ...options.env,
    },
    dir,
  );
  const origin = `http://127.0.0.1:${port}`;
  const exited = () => rolegate.child.exitCode !== null;
  const stop = async () => {
    await rolegate.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const ready = () =>
    fetch(`${origin}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  try {
    await waitFor(
      async () => exited() || (await ready()),
      () => `start-up:\n${rolegate.output()}`,
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  if (exited()) {
    await stop();
    throw new Error(`rolegate exited:\n${rolegate.output()}`);
  }

  let triggers = 0;
  const post = async (body: string) => {
    const response = await fetch(`${origin}/slack/events`, {
      method: "POST",
      headers: signedHeaders(SIGNING_SECRET, body),
      body,
    });
    await response.text();
    if (response.status !== 200) throw new Error(`Slack request answered ${response.status}`);
  };
  return {
    origin,
    pid: rolegate.child.pid!,
    post,
    command: (user, text, responseUrl) =>
      post(
        new URLSearchParams({
          team_id: "T0ACME",
          api_app_id: "A0ROLEGATE",
          channel_id: "C0GENERAL",
          user_id: user,
          command: "/role",
          text,
          response_url: responseUrl,
          trigger_id: `trigger.${triggers++}`,
        }).toString(),
      ),
    click: (user, actionId, id) => {
      const payload = {
        type: "block_actions",
        user: { id: user, team_id: "T0ACME" },
        team: { id: "T0ACME" },
        api_app_id: "A0ROLEGATE",
        trigger_id: `trigger.${triggers++}`,
        channel: { id: "C0APPROVALS" },
        response_url: options.slack.responseUrl(),
        actions: [{ type: "button", action_id: actionId, block_id: "b", value: id, action_ts: "1" }],
      };
      return post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    },
    output: () => rolegate.output(),
    exited,
    stop,
  };
}

/** The fake Slack's response_url posts, by URL, as they arrive. */
export class RepliesByUrl {
  private seen = 0;
  private readonly byUrl = new Map<string, string>();

  constructor(private readonly slack: FakeSlackApi) {}

  async wait(url: string): Promise<string> {
    const path = new URL(url).pathname;
    await waitFor(() => this.take(path) !== undefined, `the reply at ${path}`, 30_000);
    const text = this.take(path)!;
    this.byUrl.delete(path);
    return text;
  }

  private take(path: string): string | undefined {
    for (; this.seen < this.slack.responses.length; this.seen++) {
      const response = this.slack.responses[this.seen]!;
      this.byUrl.set(response.url, typeof response.body.text === "string" ? response.body.text : "");
    }
    return this.byUrl.get(path);
  }
}

/** The id in rolegate's "Request *X* filed" reply. */
export function filedId(reply: string): string {
  const id = /Request \*([0-9A-Z]{6})\* filed/.exec(reply)?.[1];
  if (!id) throw new Error(`not filed: ${reply}`);
  return id;
}

/** The node flags of package.json's start script ("node <flags> dist/main.js"). */
function startFlags(): string[] {
  const start = (
    JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }
  ).scripts.start.split(" ");
  return start.slice(1, start.indexOf("dist/main.js"));
}
