// Prisma CLI configuration. Only `prisma generate` runs here: migrations are applied by
// src/db/migrate.ts and written by `npm run db:migration`, because Prisma's native schema
// engine cannot be downloaded on our machines (see README, "Database").
import { defineConfig } from "prisma/config";

// The CLI insists on locating a schema-engine binary before `generate`, although generating
// the client never runs it. Any existing file satisfies the check.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // Read with a fallback rather than prisma/config's env(), which throws when it is unset.
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/rolegate" },
});
