// npm runs this after every install of the project itself (npm install, npm ci). With the dev
// dependencies present it runs `npm run build` (Prisma client, then src/ compiled into dist/), which is
// what `npm start` runs. A production install (npm ci --omit=dev) has neither tool: it runs the
// dist/ built beforehand (in the Docker build stage, say) and has nothing to do here.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const tool = (name) => `node_modules/.bin/${name}`;

if (!existsSync(tool("tsc")) || !existsSync(tool("prisma"))) {
  if (existsSync("dist/main.js")) {
    console.log("rolegate: production install; running the build already in dist/.");
    process.exit(0);
  }
  console.error("rolegate: dist/ is not built and the build tools are not installed. Run `npm ci` (with dev dependencies), which builds it, or `npm run build`.");
  process.exit(1);
}

// The build is package.json's "build" script: one definition, whoever runs it.
execFileSync("npm", ["run", "build"], { stdio: "inherit" });
