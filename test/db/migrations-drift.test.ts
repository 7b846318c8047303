import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/migration-files.js";
import { diffMigrationsToSchema, EMPTY_MIGRATION, SCHEMA_PATH } from "../../src/db/schema-diff.js";

const run = promisify(execFile);
const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

describe("prisma/migrations and prisma/schema.prisma", () => {
  it("describe the same database: replaying the migrations leaves nothing to migrate", async () => {
    const diff = await diffMigrationsToSchema();
    expect(diff, "schema.prisma changed without a migration: run npm run db:migration -- <name>").toBe(EMPTY_MIGRATION);
  });

  it("a schema change without its migration is caught, with the SQL the missing migration needs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rolegate-drift-"));
    temp.push(dir);
    const schema = (await readFile(SCHEMA_PATH, "utf8")).replace(
      "  reason            String\n",
      '  reason            String\n  ticketUrl         String? @map("ticket_url")\n',
    );
    await writeFile(join(dir, "schema.prisma"), schema);

    const diff = await diffMigrationsToSchema(MIGRATIONS_DIR, join(dir, "schema.prisma"));
    expect(diff).toContain('ALTER TABLE "role_requests" ADD COLUMN     "ticket_url" TEXT;');
  });
});

describe("npm run db:migration", () => {
  it("writes the missing migration, after which the two match again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rolegate-newmig-"));
    temp.push(dir);
    await cp(join(MIGRATIONS_DIR, ".."), dir, { recursive: true });
    const schemaPath = join(dir, "schema.prisma");
    await writeFile(
      schemaPath,
      (await readFile(schemaPath, "utf8")).replace(
        "  reason            String\n",
        "  reason            String\n  ticketUrl         String?\n",
      ),
    );

    const { stdout } = await run("npx", ["tsx", "src/db/cli/new-migration.ts", "add_ticket_url"], {
      env: { ...process.env, ROLEGATE_MIGRATIONS_DIR: join(dir, "migrations"), ROLEGATE_SCHEMA: schemaPath },
    });
    expect(stdout).toMatch(/wrote .*_add_ticket_url\/migration\.sql/);
    expect(await diffMigrationsToSchema(join(dir, "migrations"), schemaPath)).toBe(EMPTY_MIGRATION);
  }, 120_000); // the CLI and a diff, each starting the schema engine and a shadow database
});
