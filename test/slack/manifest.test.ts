// manifest.yml asks for exactly the scopes the code needs, and wires everything to /slack/events.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

/** Each Web API method rolegate calls, and the bot scope Slack requires for it (null: none). */
const METHOD_SCOPES: Record<string, string | null> = {
  "auth.test": null,
  "chat.postMessage": "chat:write",
  "chat.update": "chat:write",
  "chat.postEphemeral": "chat:write",
  "users.info": "users:read",
  "usergroups.users.list": "usergroups:read",
  "views.open": null,
  "views.update": null,
  "views.publish": null,
  "conversations.history": "channels:history",
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (e) =>
      e.isDirectory() ? (e.name === "generated" ? [] : sourceFiles(join(dir, e.name))) : [join(dir, e.name)],
    ),
  );
  return files.flat().filter((f) => f.endsWith(".ts"));
}

describe("manifest.yml", async () => {
  const manifest = parse(await readFile("manifest.yml", "utf8"));

  it("declares /role with a usage hint and escaping, and sends everything to /slack/events", () => {
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: "/role", should_escape: true });
    expect(command.usage_hint.length).toBeGreaterThan(10);
    for (const url of [
      command.url,
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ]) {
      expect(url).toMatch(/^https:\/\/.+\/slack\/events$/);
    }
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened"]);
    expect(typeof manifest.settings.socket_mode_enabled).toBe("boolean");
  });

  it("asks for the scopes the code's Web API calls need, and no more", async () => {
    const used = new Set<string>();
    for (const file of await sourceFiles("src")) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(
        /\b(?:client|this\.client)\.(chat|users|usergroups|views|auth|conversations)\.(\w+(?:\.\w+)?)\(/g,
      ))
        used.add(`${match[1]}.${match[2]}`);
    }
    used.add("auth.test"); // slack-connection.ts: at start, then every minute
    for (const method of used) expect(METHOD_SCOPES, `a scope is not recorded for ${method}`).toHaveProperty([method]);

    const needed = new Set([
      "commands",
      ...[...used].map((m) => METHOD_SCOPES[m]).filter((s): s is string => Boolean(s)),
    ]);
    // users.info returns the profile's email only with users:read.email.
    if (used.has("users.info")) needed.add("users:read.email");
    // conversations.history of a private approval channel takes groups:history.
    if (used.has("conversations.history")) needed.add("groups:history");
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });
});
