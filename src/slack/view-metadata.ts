// A modal's private_metadata comes back from Slack as text: read it with zod, never with a cast,
// so a view rolegate did not make (or an older rolegate made) is treated as what it is.
import { z } from "zod";
import type { AcceptRevertMetadata, DenyMetadata, FormMetadata, KeepOutsideMetadata } from "./blocks/forms.js";

const formSchema = z.object({ channel: z.string().max(64).nullable(), target: z.string().max(200).nullable() });
const denySchema = z.object({ requestId: z.string().min(1).max(32), channel: z.string().max(64) });
const digits = z.string().regex(/^\d{1,19}$/);
const keepOutsideSchema = z.object({
  changeId: digits.nullable(),
  cardId: digits.nullable(),
  channel: z.string().max(64),
});
const acceptSchema = z.object({ revertId: z.string().min(1).max(32), channel: z.string().max(64) });

function json(text: string): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return null;
  }
}

/** The request form's metadata; an unreadable one is a form with no channel and no target picked. */
export function readFormMetadata(text: string): FormMetadata {
  const parsed = formSchema.safeParse(json(text));
  return parsed.success ? parsed.data : { channel: null, target: null };
}

/** The deny form's metadata, or null when it is not one rolegate wrote. */
export function readDenyMetadata(text: string): DenyMetadata | null {
  const parsed = denySchema.safeParse(json(text));
  return parsed.success ? parsed.data : null;
}

/** The accept form's metadata, or null when it is not one rolegate wrote. */
export function readAcceptRevertMetadata(text: string): AcceptRevertMetadata | null {
  const parsed = acceptSchema.safeParse(json(text));
  return parsed.success ? parsed.data : null;
}

/** The keep form's metadata, or null when it is not one rolegate wrote. */
export function readKeepOutsideMetadata(text: string): KeepOutsideMetadata | null {
  const parsed = keepOutsideSchema.safeParse(json(text));
  return parsed.success && (parsed.data.changeId !== null) !== (parsed.data.cardId !== null) ? parsed.data : null;
}
