// npm runs this after every install of the project itself (npm install, npm ci). A development
// install runs `npm run build` (Prisma client, then src/ compiled into dist/), which is what
// `npm start` runs. A production install (npm ci --omit=dev, as the Dockerfile's runtime stage
// does) never builds: it runs the dist/ built beforehand, or says how to get one.
//
// Which one this is, npm says (--omit=dev sets npm_config_omit, and NODE_ENV=production for the
// script), not which tools happen to be in node_modules: npm installs typescript and prisma as
// peers of @prisma/client even with --omit=dev, and a build started there fails for want of the
// sources and the schema engine.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const omitted = (process.env.npm_config_omit ?? "").split(/[\s,]+/);
const production = omitted.includes("dev") || process.env.NODE_ENV === "production";

if (production) {
  if (existsSync("dist/main.js")) {
    console.log("rolegate: production install; running the build already in dist/.");
    process.exit(0);
  }
  console.error(
    "rolegate: a production install runs a dist/ built beforehand, and there is none here. Build it with `npm ci` (with dev dependencies, which runs `npm run build`) and ship dist/ with the install, as the Dockerfile's build stage does.",
  );
  process.exit(1);
}

// The build is package.json's "build" script: one definition, whoever runs it.
execFileSync("npm", ["run", "build"], { stdio: "inherit" });
