// What GET /audit/events is asked for — since, until, target, format — read from its query
// string, or refused in words. A refusal changes nothing and says how to write it right.
import type { Result } from "../requests/refusals.js";

/** The longest range one export covers: a year and a day (a ten-year dump is refused, in words). */
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;
/** Without `since`: the last 30 days. */
const DEFAULT_DAYS = 30;

type ExportFormat = "jsonl" | "csv";

export interface ExportQuery {
  since: Date;
  until: Date;
  /** One target, or every target. */
  target: string | null;
  format: ExportFormat;
}

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A date as an auditor writes it: 2026-11-01 (midnight UTC) or 2026-11-01T09:00:00Z. */
function parseDate(text: string): Date | null {
  if (!DATE.test(text)) return null;
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function parseExportQuery(
  params: URLSearchParams,
  targets: ReadonlySet<string>,
  now: Date,
): Result<ExportQuery> {
  const refuse = (message: string): Result<ExportQuery> => ({
    ok: false,
    refusal: { code: "invalid_request", message },
  });
  const known = new Set(["since", "until", "target", "format"]);
  const unknown = [...params.keys()].find((k) => !known.has(k));
  if (unknown !== undefined) return refuse(`"${unknown}" is not a parameter; use since, until, target and format.`);

  const dateOf = (name: "since" | "until"): Date | null | "bad" => {
    const text = params.get(name);
    if (text === null || text === "") return null;
    return parseDate(text) ?? "bad";
  };
  const until = dateOf("until");
  if (until === "bad")
    return refuse(`until: "${params.get("until")}" is not a date; write it like 2026-12-01 or 2026-12-01T09:00:00Z.`);
  const end = until ?? now;
  const since = dateOf("since");
  if (since === "bad")
    return refuse(`since: "${params.get("since")}" is not a date; write it like 2026-11-01 or 2026-11-01T09:00:00Z.`);
  const start = since ?? new Date(end.getTime() - DEFAULT_DAYS * DAY_MS);
  if (start >= end) return refuse("since must be before until.");
  const days = Math.ceil((end.getTime() - start.getTime()) / DAY_MS);
  if (days > MAX_RANGE_DAYS)
    return refuse(`The range is ${days} days; export at most ${MAX_RANGE_DAYS} days at a time (since and until).`);

  const target = params.get("target") || null;
  if (target !== null && !targets.has(target)) return refuse(`There is no target named "${target}".`);

  const format = params.get("format") || "jsonl";
  if (format !== "jsonl" && format !== "csv") return refuse(`format: "${format}" is not one; use jsonl or csv.`);
  return { ok: true, value: { since: start, until: end, target, format } };
}
