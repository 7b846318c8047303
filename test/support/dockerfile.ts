// The Dockerfile, read the way Docker reads it — instructions per stage, continuation lines
// joined — so tests can check it and lay out exactly the tree its runtime stage builds.
import { readFile } from "node:fs/promises";

const text = await readFile("Dockerfile", "utf8");

/** Instructions, with continuation lines joined, per stage. */
export const stages: string[][] = text
  .replace(/\\\n\s*/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"))
  .reduce<string[][]>((acc, line) => (line.startsWith("FROM ") ? [...acc, [line]] : (acc.at(-1)!.push(line), acc)), []);

/** The stage the image runs. */
export const runtime: string[] = stages.at(-1)!;

/** A stage's COPY instructions, as their arguments (flags such as --from= included). */
export const copies = (stage: string[]): string[][] =>
  stage.filter((l) => l.startsWith("COPY ")).map((l) => l.split(/\s+/).slice(1));

/** A stage's ENV settings (KEY=value pairs). */
export function envOf(stage: string[]): Record<string, string> {
  const pairs = stage.filter((l) => l.startsWith("ENV ")).flatMap((l) => l.slice(4).trim().split(/\s+/));
  return Object.fromEntries(pairs.map((p) => p.split("=") as [string, string]));
}

/** The commands a stage's RUN instructions chain with &&, in order. */
export const runCommands = (stage: string[]): string[] =>
  stage
    .filter((l) => l.startsWith("RUN "))
    .flatMap((l) => l.slice(4).split("&&"))
    .map((c) => c.trim());
