// The values that must never be written anywhere — Slack tokens, vendor credentials, a password
// in DATABASE_URL — and the one redactor that replaces them, in logs and in vendor text alike.

const REDACTED = "[redacted]";

/** The values of every environment variable that holds a credential. */
export function secretValues(env: NodeJS.ProcessEnv, credentialVariables: Iterable<string>): string[] {
  const names = new Set([
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "ROLEGATE_AUDIT_TOKEN",
    ...credentialVariables,
  ]);
  const values = [...names].map((name) => env[name]).filter((v): v is string => typeof v === "string" && v !== "");
  return [...values, ...(env.DATABASE_URL ? databasePasswords(env.DATABASE_URL) : [])];
}

/** A password inside a connection URL, as written (percent-encoded) and as decoded: either may be quoted. */
function databasePasswords(url: string): string[] {
  try {
    const written = new URL(url).password;
    if (!written) return [];
    let decoded = written;
    try {
      decoded = decodeURIComponent(written);
    } catch {
      // a malformed escape: only the written form can appear
    }
    return [...new Set([written, decoded])];
  } catch {
    return [];
  }
}

/**
 * Replaces every occurrence of the given secrets, whatever their length, also in the form they
 * take inside a JSON string (a quote or backslash in a secret is escaped there), longest first
 * so that one secret inside another is not half-replaced.
 */
export function createRedactor(values: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of values) {
    if (secret === "") continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  const secrets = [...forms].sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
