// `npm start` in production, in the tree the Dockerfile's runtime stage makes: exactly the files
// its COPY lines bring (dist/ compiled here, as its build stage does), installed by the very
// command its RUN line gives (`npm ci --omit=dev`). No tsx, no TypeScript build, no Prisma CLI at
// run time: if the install tried to build, or anything at run time reached for a dev dependency,
// this would fail. Laid out from the Dockerfile itself, so the two cannot drift apart.
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copies, envOf, runCommands, runtime } from "./support/dockerfile.js";
import { FakeSlackApi } from "./support/fake-slack-api.js";
import { startNode } from "./support/script.js";
import { freePort, waitFor } from "./support/wait.js";

const run = promisify(execFile);
const BOT_TOKEN = "xoxb-test-built-0001";
const PACKAGE = JSON.parse(await readFile("package.json", "utf8")) as {
  scripts: Record<string, string>;
  files: string[];
};
const IMAGE_ENV = envOf(runtime);

/** Runs a shell command in `cwd` with the image's environment; resolves with its exit code and output. */
function shell(command: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], {
      cwd,
      env: { ...process.env, ...IMAGE_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** A tree as the runtime stage's COPY lines lay it out; dist/ (from the build stage) compiled here. */
async function runtimeTree(withDist = true): Promise<string> {
  const tree = await mkdtemp(join(tmpdir(), "rolegate-image-"));
  for (const args of copies(runtime)) {
    const [destination, ...sources] = args.filter((a) => !a.startsWith("--")).reverse();
    const fromBuild = args.some((a) => a.startsWith("--from="));
    for (const source of sources.reverse()) {
      const target = destination!.endsWith("/")
        ? join(tree, destination!, source.split("/").at(-1)!)
        : join(tree, destination!);
      if (fromBuild) {
        if (source !== "/app/dist")
          throw new Error(`the build stage's ${source} is not something this test knows how to make`);
        if (withDist)
          await run(process.execPath, [
            "node_modules/typescript/bin/tsc",
            "-p",
            "tsconfig.build.json",
            "--outDir",
            target,
          ]);
      } else {
        await mkdir(join(target, ".."), { recursive: true });
        await cp(source, target, { recursive: true });
      }
    }
  }
  return tree;
}

/** The runtime stage's install, exactly as its RUN line writes it. */
const INSTALL = runCommands(runtime).find((c) => c.startsWith("npm ci"))!;

let tree: string;

beforeAll(async () => {
  tree = await runtimeTree();
  const installed = await shell(INSTALL, tree);
  if (installed.code !== 0) throw new Error(`${INSTALL} failed in the runtime tree:\n${installed.output}`);
  await writeFile(
    join(tree, "rolegate.yml"),
    "approvalChannel: C0123456789\napprovers: { users: [U0AAAAAAA] }\ntargets:\n  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: DOLFIN_TOKEN }\n",
  );
}, 240_000);

afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
});

describe("the built tree", () => {
  it("npm start runs dist/main.js with plain node, within a heap budget", () => {
    expect(PACKAGE.scripts.start).toMatch(
      /^node (--max-old-space-size=\d+ )?(--max-semi-space-size=\d+ )?dist\/main\.js$/,
    );
  });

  it("the Dockerfile's production install keeps the dist/ it was given and builds nothing; without one it says how to get one, and fails", async () => {
    expect(INSTALL).toContain("--omit=dev");
    const bare = await runtimeTree(false);
    try {
      const installed = await shell(INSTALL, bare);
      expect(installed.code).not.toBe(0);
      expect(installed.output).toContain("a production install runs a dist/ built beforehand, and there is none here");
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  }, 240_000);

  it("started with only the production dependencies, serves and stops cleanly on SIGTERM", async () => {
    await expect(readFile(join(tree, "node_modules/tsx/package.json"))).rejects.toThrow(); // a dev dependency: absent
    const slack = new FakeSlackApi(BOT_TOKEN);
    await slack.start();
    try {
      const port = await freePort();
      const flags = (PACKAGE.scripts.start ?? "").split(" ").slice(1, -1); // as npm start runs it
      const started = startNode(
        [...flags, join(tree, "dist/main.js")],
        {
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: "built-signing-secret-1",
          SLACK_API_URL: slack.url,
          PORT: String(port),
          DOLFIN_TOKEN: "dolfin-secret-0001",
        },
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
