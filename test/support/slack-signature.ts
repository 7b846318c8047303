// Slack's request signature, as Slack computes it: v0= + HMAC-SHA256 of "v0:<timestamp>:<body>"
// with the app's signing secret. The fakes that talk to rolegate as Slack does sign with it.
import { createHmac } from "node:crypto";

function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** The headers Slack sends with a request to /slack/events: its type, when it was sent, and the signature over both. */
export function signedHeaders(
  secret: string,
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
  contentType = "application/x-www-form-urlencoded",
) {
  return {
    "content-type": contentType,
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": slackSignature(secret, timestamp, body),
  };
}
