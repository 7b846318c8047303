// How long something lasts, for people, in one place. Three wordings, because each sentence
// reads best its own way and people have learnt them: a grant's length in units ("1h30m", "2d"),
// a vendor's wait to the nearest unit ("90s", "12m", "5h"), the retry window in hours ("24h").

/** 5400 → "1h30m"; 14400 → "4h"; 172800 → "2d"; 90 → "1m" (whole minutes). */
export function durationText(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join("") || `${seconds}s`;
}

/** "45s", "12m", "2h" — a wait, rounded to the unit that reads best. */
export function waitText(ms: number): string {
  if (ms < 120_000) return `${Math.ceil(ms / 1000)}s`;
  if (ms < 7_200_000 && ms % 3_600_000 !== 0) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

/** "24h", or "90 minutes" when it is not whole hours: how long approvals count for a retry. */
export function windowText(ms: number): string {
  const hours = ms / 3_600_000;
  return Number.isInteger(hours) ? `${hours}h` : `${Math.round(ms / 60_000)} minutes`;
}
