// The /role grammar — the contract people type against; `/role help` prints USAGE.
//
//   /role | /role request                          open the request form
//   /role set <target> <member>[,<member>…] <role> [for <duration>] <reason…>
//   /role add <target>[,<target>…] <member>[,<member>…] <role> <reason…>
//   /role history [mine | pending | <target> | <member>] [<n>]
//   /role who <target> [<role>]   /role sync <target>
//   /role show <id>   /role cancel <id>   /role targets   /role help
//
// Slack sends the text escaped (the command has should_escape): mentions arrive as
// <@U123|name>, emails as <mailto:a@b.com|a@b.com>, and &, <, > as entities. A role with spaces
// is quoted: "Department Manager". The reason is kept exactly as typed.
import { MAX_GRANT_SECONDS, MIN_GRANT_SECONDS } from "./request-shape.js";
import { parseDuration } from "../config/duration.js";
import { normalizeRequestId } from "./request-id.js";
import { vendorsThatAdd } from "../vendors/traits.js";

export type MemberRef =
  { kind: "email"; email: string } | { kind: "slack"; userId: string } | { kind: "vendor_id"; id: string };

export type HistoryFilter =
  | { kind: "all" }
  | { kind: "mine" }
  | { kind: "pending" }
  | { kind: "target"; target: string }
  | { kind: "member"; member: MemberRef };

export type RoleCommand =
  | { type: "form" }
  /** `durationSeconds`: a time-bound grant ("for 4h"), reverted when the time is up. */
  | { type: "set"; target: string; members: MemberRef[]; role: string; durationSeconds: number | null; reason: string }
  | { type: "add"; targets: string[]; members: MemberRef[]; role: string; reason: string }
  | { type: "history"; filter: HistoryFilter; limit: number }
  | { type: "show"; id: string }
  | { type: "cancel"; id: string }
  | { type: "targets" }
  /** Who holds which role in a target now, as the inventory last read it; `role` narrows it. */
  | { type: "who"; target: string; role: string | null }
  /** Read a target's members from its vendor now. */
  | { type: "sync"; target: string }
  | { type: "help" };

export type ParseResult = { ok: true; command: RoleCommand } | { ok: false; error: string; usage: string };

const HISTORY_DEFAULT = 10;
const HISTORY_MAX = 50;

export const USAGE = {
  request: "`/role` — open the request form",
  set: "`/role set <target> <member>[,<member>…] <role> [for <duration>] <reason…>` — change the role of one or more members; with `for 4h` (or 90m, 2d) only for that long",
  add: `\`/role add <target>[,<target>…] <member>[,<member>…] <role> <reason…>\` — add members to one or more organizations (${vendorsThatAdd()})`,
  history: "`/role history [mine | pending | <target> | <member>] [<n>]` — the newest requests first",
  show: "`/role show <id>` — one request in full, with its audit trail",
  cancel: "`/role cancel <id>` — withdraw your own pending request",
  targets: "`/role targets` — the targets you can ask for, and their roles",
  who: "`/role who <target> [<role>]` — for approvers: who holds which role there now, and why",
  sync: "`/role sync <target>` — for approvers: read the target's members from its vendor now",
  help: "`/role help` — this list",
} as const;

const MEMBER_HELP =
  'A member is an email address, an @mention, or `id:<vendor id>`; separate several with commas. Quote a role with spaces: `"Department Manager"`.';

export const FULL_USAGE = [...Object.values(USAGE), "", MEMBER_HELP].join("\n");

const EXAMPLES = {
  set: "`/role set sentry-acme ada@example.com admin for 4h on call tonight`",
  add: "`/role add devin-a,devin-b @ada org_member joining the platform team`",
};

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // A quoted run (straight or curly quotes) is one token; so is any run of non-space.
  const pattern = /"[^"]*"|“[^”]*”|\S+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** Undoes Slack's escaping of &, < and > in free text. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const EMAIL = /^[^\s@<>|,]+@[^\s@<>|,]+\.[^\s@<>|,]+$/;

/** One member as typed, or an explanation of why it is not one. */
function parseMember(raw: string): MemberRef | string {
  const text = raw.trim();
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(text);
  if (mention) return { kind: "slack", userId: mention[1]! };
  const mailto = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(text);
  const email = (mailto ? mailto[1]! : text).toLowerCase();
  if (EMAIL.test(email)) return { kind: "email", email };
  const vendorId = /^id:(\S+)$/i.exec(text);
  if (vendorId) return { kind: "vendor_id", id: vendorId[1]! };
  if (text.startsWith("@"))
    return `"${text}" is not a mention Slack recognised; pick the person from the @ menu, or write their email address`;
  return `"${unescapeSlack(text)}" is not a member: write an email address, an @mention, or id:<vendor id>`;
}

/** Parses a comma-separated list of members; all must be valid. */
export function parseMembers(list: string): MemberRef[] | string {
  const parts = list
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return "name at least one member";
  const members: MemberRef[] = [];
  for (const part of parts) {
    const member = parseMember(part);
    if (typeof member === "string") return member;
    members.push(member);
  }
  return members;
}

/** Takes a comma-separated list starting at token i, allowing spaces around the commas. */
function takeList(tokens: Token[], i: number): { text: string; next: number } {
  let text = tokens[i]!.text;
  let next = i + 1;
  while (next < tokens.length && (text.endsWith(",") || tokens[next]!.text.startsWith(","))) {
    text += tokens[next]!.text;
    next++;
  }
  return { text, next };
}

/** The longest a grant may last, whatever the policy says: a year. */

/** "4h", "90m", "2d", "1h30m" → seconds, or why it is not a grant's duration. */
function parseGrantDuration(text: string): number | string {
  const ms = parseDuration(text);
  if (ms === null) return `"${unescapeSlack(text)}" is not a duration; write it like 90m, 4h or 2d.`;
  if (ms < MIN_GRANT_SECONDS * 1000) return "A grant lasts at least a minute (1m).";
  if (ms > MAX_GRANT_SECONDS * 1000) return "A grant lasts at most a year (365d).";
  return Math.floor(ms / 1000);
}

const unquote = (text: string) => text.replace(/^["“](.*)["”]$/, "$1").trim();

export function parseRoleCommand(raw: string, knownTargets: ReadonlySet<string>): ParseResult {
  const text = raw.trim();
  const tokens = tokenize(text);
  const sub = tokens[0]?.text.toLowerCase();
  const fail = (error: string, usage: string): ParseResult => ({ ok: false, error, usage });

  switch (sub) {
    case undefined:
    case "request":
      return { ok: true, command: { type: "form" } };
    case "help":
      return { ok: true, command: { type: "help" } };
    case "targets":
      return { ok: true, command: { type: "targets" } };
    case "show":
    case "cancel": {
      const usage = USAGE[sub];
      if (tokens.length !== 2) return fail(`\`/role ${sub}\` takes one request id.`, usage);
      const id = normalizeRequestId(tokens[1]!.text);
      if (!id)
        return fail(
          `"${unescapeSlack(tokens[1]!.text)}" is not a request id; ids are six letters and digits, like 7K2QXM.`,
          usage,
        );
      return { ok: true, command: { type: sub, id } };
    }
    case "history":
      return parseHistory(tokens.slice(1), knownTargets);
    case "who":
    case "sync": {
      const usage = USAGE[sub];
      const most = sub === "who" ? 3 : 2;
      if (tokens.length < 2 || tokens.length > most)
        return fail(
          sub === "who" ? "`/role who` takes a target and, if you like, a role." : "`/role sync` takes one target.",
          usage,
        );
      const target = unescapeSlack(tokens[1]!.text).toLowerCase();
      if (!knownTargets.has(target)) return fail(`"${target}" is not a target; \`/role targets\` lists them.`, usage);
      if (sub === "sync") return { ok: true, command: { type: "sync", target } };
      const role = tokens[2] ? unquote(unescapeSlack(tokens[2].text)) : null;
      return { ok: true, command: { type: "who", target, role: role || null } };
    }
    case "set":
    case "add":
      return parseChange(sub, text, tokens);
    default:
      return fail(`"${unescapeSlack(tokens[0]!.text)}" is not something /role does.`, FULL_USAGE);
  }
}

function parseChange(sub: "set" | "add", text: string, tokens: Token[]): ParseResult {
  const usage = `${USAGE[sub]}\nFor example: ${EXAMPLES[sub]}\n${MEMBER_HELP}`;
  const fail = (error: string): ParseResult => ({ ok: false, error, usage });
  if (tokens.length < 2) return fail(`\`/role ${sub}\` needs a target, the member(s), a role and a reason.`);

  const targetList = takeList(tokens, 1);
  const targets = targetList.text
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  if (sub === "set" && targets.length > 1)
    return fail("`/role set` changes roles in one target; to add members to several organizations use `/role add`.");
  if (targetList.next >= tokens.length) return fail(`\`/role ${sub}\` needs the member(s) after the target.`);

  const memberList = takeList(tokens, targetList.next);
  const members = parseMembers(memberList.text);
  if (typeof members === "string") return fail(`${members[0]!.toUpperCase()}${members.slice(1)}.`);
  if (memberList.next >= tokens.length) return fail(`\`/role ${sub}\` needs a role after the member(s).`);

  const roleToken = tokens[memberList.next]!;
  const role = unquote(unescapeSlack(roleToken.text));
  if (!role) return fail("The role is empty.");

  // "for <duration>" right after the role makes it time-bound; "for" followed by anything
  // else is the start of the reason ("for the on-call week").
  let reasonStart = roleToken.end;
  let durationSeconds: number | null = null;
  const forToken = tokens[memberList.next + 1];
  const durationToken = tokens[memberList.next + 2];
  if (forToken?.text.toLowerCase() === "for" && durationToken && /^\d/.test(durationToken.text)) {
    const parsed = parseGrantDuration(durationToken.text);
    if (typeof parsed === "string") return fail(parsed);
    if (sub === "add") return fail("Time-bound access works with `/role set`; `/role add` adds members for good.");
    durationSeconds = parsed;
    reasonStart = durationToken.end;
  }
  const reason = unescapeSlack(text.slice(reasonStart)).trim();
  if (!reason)
    return fail(`A reason is required: say why, after the ${durationSeconds === null ? "role" : "duration"}.`);

  return sub === "set"
    ? { ok: true, command: { type: "set", target: targets[0]!, members, role, durationSeconds, reason } }
    : { ok: true, command: { type: "add", targets, members, role, reason } };
}

function parseHistory(args: Token[], knownTargets: ReadonlySet<string>): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error, usage: USAGE.history });
  let filter: HistoryFilter = { kind: "all" };
  let limit = HISTORY_DEFAULT;
  const rest = [...args];

  const last = rest.at(-1)?.text;
  if (last !== undefined && /^\d+$/.test(last)) {
    limit = Number(last);
    if (limit < 1 || limit > HISTORY_MAX) return fail(`Show between 1 and ${HISTORY_MAX} requests, not ${limit}.`);
    rest.pop();
  }
  if (rest.length > 1) return fail("`/role history` takes one filter and an optional count.");
  const word = rest[0]?.text;
  if (word !== undefined) {
    const lower = word.toLowerCase();
    if (lower === "mine" || lower === "pending") filter = { kind: lower };
    else if (knownTargets.has(lower)) filter = { kind: "target", target: lower };
    else {
      const member = parseMember(word);
      if (typeof member === "string") {
        return fail(
          `"${unescapeSlack(word)}" is not mine, pending, a target (${[...knownTargets].join(", ")}) or a member.`,
        );
      }
      filter = { kind: "member", member };
    }
  }
  return { ok: true, command: { type: "history", filter, limit } };
}
