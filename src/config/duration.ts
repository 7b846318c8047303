// Durations as people write them in rolegate.yml: "90s", "15m", "24h", "7d", or combined
// ("1h30m"). A bare number is refused: "24" could mean hours or seconds, and guessing wrong
// would expire requests a thousand times too early or too late.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+)(ms|s|m|h|d)/gy;

/** Milliseconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  const input = text.replace(/\s+/g, "");
  if (input === "") return null;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < input.length) {
    const match = PART.exec(input);
    if (!match) return null;
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return total;
}
