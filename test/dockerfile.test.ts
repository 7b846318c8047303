// The Dockerfile cannot be built on this machine (no registry for images), so this checks what
// can be checked without Docker: the image runs what `npm start` runs, as a non-root user, with a
// health check on /healthz, and ships only what package.json's "files" name — never a local
// rolegate.yml, .env or node_modules.
import { access, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { copies, runtime, stages } from "./support/dockerfile.js";

const dockerignore = (await readFile(".dockerignore", "utf8"))
  .split("\n")
  .map((l) => l.trim())
  .filter(Boolean);
const pkg = JSON.parse(await readFile("package.json", "utf8")) as {
  scripts: Record<string, string>;
  files: string[];
  engines: { node: string };
};

describe("the Dockerfile", () => {
  it("runs exactly what npm start runs, on the Node major package.json asks for", () => {
    const cmd = JSON.parse(runtime.find((l) => l.startsWith("CMD "))!.slice(4)) as string[];
    expect(cmd.join(" ")).toBe(pkg.scripts.start);
    expect(runtime[0]).toMatch(new RegExp(`^FROM node:${/\d+/.exec(pkg.engines.node)![0]}\\b`));
  });

  it("runs as the unprivileged node user, with a health check on /healthz (alive: an outage is no reason to restart it)", () => {
    expect(runtime.filter((l) => l.startsWith("USER ")).at(-1)).toBe("USER node");
    expect(runtime.find((l) => l.startsWith("HEALTHCHECK "))).toContain("/healthz");
  });

  it("copies into the runtime image only package.json's files (plus the manifest and lock file) and the built dist/", () => {
    const shipped = new Set([...pkg.files, "package.json", "package-lock.json"]);
    for (const args of copies(runtime)) {
      const sources = args.filter((a) => !a.startsWith("--")).slice(0, -1);
      if (args.some((a) => a.startsWith("--from="))) expect(sources).toEqual(["/app/dist"]);
      else for (const source of sources) expect(shipped, `COPY ${source}`).toContain(source);
    }
  });

  it("copies only paths that exist, and the context leaves out secrets and local state", async () => {
    for (const stage of stages) {
      for (const args of copies(stage).filter((a) => !a.some((x) => x.startsWith("--from=")))) {
        for (const source of args.slice(0, -1)) await expect(access(source), source).resolves.toBeUndefined();
      }
    }
    for (const kept of ["node_modules", ".git", "rolegate.yml", ".env", ".data", "dist"])
      expect(dockerignore).toContain(kept);
  });
});
