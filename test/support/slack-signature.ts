// Slack's request signature, as Slack computes it: v0= + HMAC-SHA256 of "v0:<timestamp>:<body>"
// with the app's signing secret. The fakes that talk to rolegate as Slack does sign with it.
import { createHmac } from "node:crypto";

export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}
