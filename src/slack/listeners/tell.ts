// Telling the one person who clicked or submitted: an ephemeral message in the channel they
// acted in, or a DM where there is none (App Home, a modal opened from one).
import type { App } from "@slack/bolt";

export async function tellPerson(
  client: App["client"],
  user: string,
  channel: string | undefined,
  text: string,
): Promise<void> {
  if (channel) await client.chat.postEphemeral({ channel, user, text });
  else await client.chat.postMessage({ channel: user, text });
}
