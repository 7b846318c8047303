// `npm start` in production: the compiled dist/ run by plain node, in a tree holding only what
// `npm ci --omit=dev` installs and what package.json's "files" ship. No tsx, no TypeScript, no
// Prisma CLI: if anything at run time reached for a dev dependency, this start would fail.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "./support/fake-slack-api.js";
import { startNode } from "./support/script.js";
import { freePort, waitFor } from "./support/wait.js";

const run = promisify(execFile);
const BOT_TOKEN = "xoxb-test-built-0001";
const PACKAGE = JSON.parse(await readFile("package.json", "utf8")) as { scripts: Record<string, string>; files: string[] };

interface LockEntry {
  dev?: boolean;
}

/** The top-level packages `npm ci --omit=dev` installs, from the lock file npm itself reads. */
async function productionPackages(): Promise<string[]> {
  const lock = JSON.parse(await readFile("package-lock.json", "utf8")) as { packages: Record<string, LockEntry> };
  // Nested node_modules come along inside their parent's directory.
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && !path.slice("node_modules/".length).includes("node_modules/") && !entry.dev)
    .map(([path]) => path);
}

let tree: string;

beforeAll(async () => {
  tree = await mkdtemp(join(tmpdir(), "rolegate-built-"));
  await run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", join(tree, "dist")]);
  for (const file of PACKAGE.files.filter((f) => f !== "dist")) await cp(file, join(tree, file), { recursive: true });
  await cp("package.json", join(tree, "package.json"));
  for (const path of await productionPackages()) {
    await mkdir(join(tree, path, ".."), { recursive: true });
    await cp(path, join(tree, path), { recursive: true, verbatimSymlinks: true });
  }
  await writeFile(
    join(tree, "rolegate.yml"),
    "approvalChannel: C0123456789\napprovers: { users: [U0AAAAAAA] }\ntargets:\n  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: DOLFIN_TOKEN }\n",
  );
}, 120_000);

afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
});

describe("the built tree", () => {
  it("npm start runs dist/main.js with plain node, within a heap budget", () => {
    expect(PACKAGE.scripts.start).toMatch(/^node (--max-old-space-size=\d+ )?(--max-semi-space-size=\d+ )?dist\/main\.js$/);
  });

  it("started with only the production dependencies, serves and stops cleanly on SIGTERM", async () => {
    await expect(readFile(join(tree, "node_modules/tsx/package.json"))).rejects.toThrow(); // a dev dependency: absent
    const slack = new FakeSlackApi(BOT_TOKEN);
    await slack.start();
    try {
      const port = await freePort();
      const flags = (PACKAGE.scripts.start ?? "").split(" ").slice(1, -1); // as npm start runs it
      const started = startNode(
        [...flags, join(tree, "dist/main.js")],
        { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: "built-signing-secret-1", SLACK_API_URL: slack.url, PORT: String(port), DOLFIN_TOKEN: "dolfin-secret-0001" },
        tree,
      );
      try {
        await waitFor(
          () => started.output().includes("rolegate is running") || started.child.exitCode !== null,
          () => `start-up; output so far:\n${started.output()}`,
          60_000,
        );
        expect(started.child.exitCode, started.output()).toBeNull();
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

        started.child.kill("SIGTERM");
        expect(await started.exited).toBe(0);
        expect(started.output()).toContain('"msg":"shutting down"');
      } finally {
        await started.stop();
      }
    } finally {
      await slack.stop();
    }
  }, 90_000);
});
