// `prisma migrate dev --create-only` without a database server or Prisma's native engine: the
// schema engine compiled to WebAssembly replays prisma/migrations into an in-memory PGlite (its
// shadow database) and diffs the result against schema.prisma. Used to write new migrations
// and, in the tests, to prove that the migrations and the schema have not drifted apart.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { MIGRATIONS_DIR, readMigrationFiles } from "./migration-files.js";

export const SCHEMA_PATH = fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));

export const EMPTY_MIGRATION = "-- This is an empty migration.";

type SchemaEngineModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

// Node has WebAssembly, but this project's lib settings carry no DOM types; declare the slice used.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

let engineModule: Promise<SchemaEngineModule> | undefined;

/** wasm-bindgen output made for bundlers; in Node it is wired by hand, once per process. */
function loadEngineModule(): Promise<SchemaEngineModule> {
  engineModule ??= (async () => {
    const bindings: SchemaEngineModule = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = createRequire(import.meta.url)
      .resolve("@prisma/schema-engine-wasm/schema_engine_bg")
      .replace(/\.js$/, ".wasm");
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": bindings });
    // The bindings type this as the .wasm module a bundler would import; it is these exports.
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return bindings;
  })();
  return engineModule;
}

/**
 * The SQL that takes a database migrated with `migrationsDir` to the state `schemaPath`
 * describes, or EMPTY_MIGRATION when they already match.
 */
export async function diffMigrationsToSchema(
  migrationsDir: string = MIGRATIONS_DIR,
  schemaPath: string = SCHEMA_PATH,
): Promise<string> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = await readFile(schemaPath, "utf8");
  const migrations = await readMigrationFiles(migrationsDir);
  const lockfile = await readFile(join(migrationsDir, "migration_lock.toml"), "utf8").catch(() => null);

  const shadow = new PGlite();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(shadow));
  // wasm-bindgen's static constructor returns the class's instance; the rule cannot see through it.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const engine: SchemaEngine = await SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, adapter);
  try {
    const result = await engine.diff({
      // With no migration yet there is no history to replay: diff from an empty database.
      from:
        migrations.length === 0
          ? { tag: "empty" }
          : {
              tag: "migrations",
              baseDir: migrationsDir,
              lockfile: { path: "migration_lock.toml", content: lockfile },
              shadowDbInitScript: "",
              migrationDirectories: migrations.map((m) => ({
                path: m.name,
                migrationFile: { path: "migration.sql", content: { tag: "ok", value: m.sql } },
              })),
            },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return (result.stdout ?? "").trim();
  } finally {
    engine.free();
    await shadow.close();
  }
}
