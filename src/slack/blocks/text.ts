// Text that goes into Block Kit: escaped, so nothing a person typed can become a mention,
// a broadcast (<!channel>) or a disguised link, and cut to Slack's limits, which otherwise turn
// a whole message into an invalid_blocks error.

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  /** chat.postMessage's `text`; longer is refused with msg_too_long. */
  messageText: 40_000,
  sectionText: 3_000,
  field: 2_000,
  fields: 10,
  header: 150,
  contextText: 2_000,
  buttonText: 75,
  optionText: 75,
  options: 100,
  viewTitle: 24,
  placeholder: 150,
} as const;

/** Escapes the three characters Slack treats as markup in mrkdwn text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cuts to `max` characters, marking the cut, without splitting an &entity; or a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const amp = text.lastIndexOf("&", end);
  if (amp > end - 6 && text.indexOf(";", amp) >= end) end = amp;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? "")) end--;
  return text.slice(0, end) + "…";
}

/** Escaped and cut: for anything a person typed. */
export const userText = (text: string, max: number) => cut(escapeText(text), max);

/** A mention we build ourselves from an id we validated; never from typed text. */
export const mention = (userId: string) => (/^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeText(userId));

/** A date every reader sees in their own time zone, with a UTC fallback for old clients. */
export function slackDate(date: Date, format = "{date_short_pretty} at {time}"): string {
  const fallback = date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}

export type MrkdwnText = { type: "mrkdwn"; text: string };
export type PlainText = { type: "plain_text"; text: string; emoji?: boolean };

export const mrkdwn = (text: string, max: number = LIMITS.sectionText): MrkdwnText => ({
  type: "mrkdwn",
  text: cut(text, max),
});
export const plain = (text: string, max: number): PlainText => ({
  type: "plain_text",
  text: cut(text, max),
  emoji: true,
});
