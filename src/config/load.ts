// Everything a rolegate process reads before it touches anything: the environment and
// rolegate.yml, validated, and the values that must never be written anywhere.
import { secretValues } from "../secrets.js";
import { readEnv, type Env } from "./env.js";
import { loadConfigFile, type RolegateConfig } from "./file.js";

export interface Configuration {
  env: Env;
  config: RolegateConfig;
  /** Slack tokens, every target's credential, a password in DATABASE_URL. */
  secrets: string[];
}

/** Throws ConfigError, naming every problem, when either source is wrong. */
export async function loadConfiguration(source: NodeJS.ProcessEnv = process.env): Promise<Configuration> {
  const env = readEnv(source);
  const config = await loadConfigFile(env.ROLEGATE_CONFIG, source);
  const secrets = secretValues(
    source,
    [...config.targets.values()].map((t) => t.tokenEnv),
  );
  return { env, config, secrets };
}
