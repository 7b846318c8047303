// How long something lasts, for people: "90m", "4h", "2d", "1h30m".

/** 5400 → "1h30m"; 14400 → "4h"; 172800 → "2d"; 90 → "1m" (whole minutes). */
export function durationText(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`].filter(Boolean).join("") || `${seconds}s`;
}
