// What a request may look like, checked from the config alone — before any Slack or vendor
// lookup, so a request naming 2,000 members is refused at once instead of after 2,000 calls.
import type { RolegateConfig, Target } from "../config/file.js";
import { traitsOf, vendorsThatAdd } from "../vendors/traits.js";
import { ok, refuse, type Refusal, type Result } from "./refusals.js";
import type { RequestKind } from "./types.js";

export const MAX_MEMBERS = 50;
export const MAX_REASON_LENGTH = 2000;
/** A grant lasts from a minute to a year, however it was asked for (command, form, extension). */
export const MIN_GRANT_SECONDS = 60;
export const MAX_GRANT_SECONDS = 365 * 86_400;

export interface RequestShape {
  kind: RequestKind;
  /** The target named first, then any further ones (add only). */
  targets: readonly string[];
  reason: string;
  /** How each member was named; two that read the same are the same member named twice. */
  memberRefs: readonly string[];
  /** "for <duration>": the change is reverted when the time is up; null or absent: permanent. */
  durationSeconds?: number | null;
  teamRoles?: readonly unknown[] | null;
}

/**
 * What a person typed, as stored: control characters other than line breaks and tabs removed
 * (a NUL would make PostgreSQL refuse the whole write), surrounding space trimmed.
 */
export function cleanTyped(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "").trim();
}

/** The targets the request names, or the first reason it cannot be filed. */
export function checkShape(shape: RequestShape, config: Pick<RolegateConfig, "targets">): Result<Target[]> {
  if (shape.reason.length > MAX_REASON_LENGTH) {
    return refuse(
      "invalid_request",
      `The reason is too long (${shape.reason.length} characters); keep it under ${MAX_REASON_LENGTH}.`,
      "reason",
    );
  }
  if (shape.memberRefs.length > MAX_MEMBERS) {
    return refuse(
      "invalid_request",
      `A request can name at most ${MAX_MEMBERS} members; this one names ${shape.memberRefs.length}.`,
      "members",
    );
  }
  const targets: Target[] = [];
  for (const name of shape.targets) {
    const target = config.targets.get(name);
    if (!target) {
      return refuse(
        "invalid_request",
        `There is no target "${name}". Configured targets: ${[...config.targets.keys()].join(", ")}.`,
        "target",
      );
    }
    targets.push(target);
  }
  const [first, ...rest] = targets;
  if (!first) return refuse("invalid_request", "Name a target.", "target");
  if (shape.kind === "SET_ROLE" && rest.length > 0) {
    return refuse(
      "invalid_request",
      "A role change names one target; to add members to several organizations use /role add.",
      "target",
    );
  }
  if (shape.kind === "ADD_TO_ORGS") {
    const adds = traitsOf(first.vendor).addsToOrganizations;
    if (!adds) {
      return refuse(
        "invalid_request",
        `Adding members to organizations works for ${vendorsThatAdd()} targets only; ${first.name} is ${first.vendor}. Use /role set for its existing members.`,
        "target",
      );
    }
    // One bulk call adds to every organization it reaches (one Devin enterprise): same vendor,
    // same host, same key.
    const other = rest.find(
      (t) => t.vendor !== first.vendor || t.tokenEnv !== first.tokenEnv || t.baseUrl !== first.baseUrl,
    );
    if (other) {
      return refuse(
        "invalid_request",
        `${other.name} is not in the same ${traitsOf(first.vendor).displayName} ${adds.within} as ${first.name}; file one request per ${adds.within}.`,
        "target",
      );
    }
    if (new Set(targets.map((t) => t.name)).size !== targets.length) {
      return refuse("invalid_request", "A target is named twice; name each organization once.", "target");
    }
  }
  const seconds = shape.durationSeconds ?? null;
  // Checked here, not only in the command's grammar: a form's value is whatever was sent, and an
  // absurd length would be a permanent change where the policy requires a time-bound one.
  if (
    seconds !== null &&
    !(Number.isInteger(seconds) && seconds >= MIN_GRANT_SECONDS && seconds <= MAX_GRANT_SECONDS)
  ) {
    return refuse("invalid_request", "A grant lasts from a minute (1m) to a year (365d).", "duration");
  }
  if (seconds !== null && shape.kind === "ADD_TO_ORGS") {
    return refuse(
      "invalid_request",
      "Time-bound access works with /role set; /role add adds members for good.",
      "target",
    );
  }
  if (shape.reason.trim() === "")
    return refuse("invalid_request", "A reason is required: say why the change is needed.", "reason");
  if (shape.memberRefs.length === 0) return refuse("invalid_request", "Name at least one member.", "members");
  const twice = memberNamedTwice(shape.memberRefs);
  return twice ? { ok: false, refusal: twice } : ok(targets);
}

/** A member named twice (case aside): refused, whether as typed or once @mentions are resolved. */
export function memberNamedTwice(memberRefs: readonly string[]): Refusal | null {
  const refs = memberRefs.map((ref) => ref.toLowerCase());
  const twice = refs.find((ref, i) => refs.indexOf(ref) !== i);
  return twice
    ? { code: "invalid_request", message: `${twice} is named twice; name each member once.`, field: "members" }
    : null;
}
