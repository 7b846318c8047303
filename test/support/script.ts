// Runs one of rolegate's entry points as a person would: a child process of its own, in a
// directory of the test's choosing, with only the environment the test gives it.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// The child may run in a temporary directory, so tsx is handed over by its absolute location.
const TSX = pathToFileURL(join(process.cwd(), "node_modules/tsx/dist/loader.mjs")).href;

export interface RunningScript {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  exited: Promise<number | null>;
  /** Kills it if it is still running. */
  stop: () => Promise<void>;
}

/** A TypeScript entry point of this checkout, run through tsx. */
export function startScript(script: string, env: Record<string, string>, cwd: string): RunningScript {
  return startNode(["--import", TSX, join(process.cwd(), script)], env, cwd);
}

/** Node with these arguments, e.g. a built `dist/main.js`. */
export function startNode(args: string[], env: Record<string, string>, cwd: string): RunningScript {
  // Only what the test passes: no variable of this machine leaks in.
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  };
  return { child, output: () => output, exited, stop };
}
