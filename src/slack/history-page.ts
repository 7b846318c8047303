// "Older requests" under a /role history answer: the button carries what to ask next — the
// query, the heading, the page size and where the page ended — and comes back as untrusted
// text, so it is parsed with zod. Nothing in it widens what the clicker sees: visibility is
// worked out again from the person who clicks.
import { z } from "zod";
import type { HistoryCursor, HistoryQuery } from "../requests/history.js";
import type { RoleRequest } from "../requests/types.js";

const querySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("requester"), userId: z.string().max(32) }),
  z.object({ kind: z.literal("pending") }),
  z.object({ kind: z.literal("target"), target: z.string().max(100) }),
  z.object({
    kind: z.literal("member"),
    email: z.string().max(320).optional(),
    vendorUserId: z.string().max(200).optional(),
  }),
]);

const pageSchema = z.object({
  query: querySchema,
  heading: z.string().max(200),
  note: z.string().max(500).nullable(),
  limit: z.number().int().min(1).max(50),
  before: z.object({ createdAt: z.iso.datetime(), id: z.string().max(32) }),
});

export interface HistoryPage {
  query: HistoryQuery;
  heading: string;
  note: string | null;
  limit: number;
  before: HistoryCursor;
}

/** The button's value (Slack allows 2,000 characters; the longest page is far below). */
function encodePage(page: HistoryPage): string {
  return JSON.stringify({ ...page, before: { createdAt: page.before.createdAt.toISOString(), id: page.before.id } });
}

/** The page a button asks for, or null for a value rolegate did not write. */
export function decodePage(value: string): HistoryPage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return null;
  }
  const parsed = pageSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { query, heading, note, limit, before } = parsed.data;
  const cleanQuery: HistoryQuery =
    query.kind === "member"
      ? {
          kind: "member",
          ...(query.email ? { email: query.email } : {}),
          ...(query.vendorUserId ? { vendorUserId: query.vendorUserId } : {}),
        }
      : query;
  return { query: cleanQuery, heading, note, limit, before: { createdAt: new Date(before.createdAt), id: before.id } };
}

/**
 * The "Older requests" button's value: the next page starts below the last request shown. There
 * may be more when the page came back full, and surely are when the message could not show all
 * it was given (`fetched`).
 */
export function olderPage(
  page: Omit<HistoryPage, "before">,
  shown: readonly Pick<RoleRequest, "createdAt" | "id">[],
  fetched: number,
): string | null {
  const last = shown.at(-1);
  return last && (shown.length < fetched || fetched === page.limit)
    ? encodePage({ ...page, before: { createdAt: last.createdAt, id: last.id } })
    : null;
}
