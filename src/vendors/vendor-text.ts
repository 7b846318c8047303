// What a vendor returns is untrusted text: an error message may echo the credential we sent, a
// role name may carry a NUL (which PostgreSQL refuses to store) or a line break that forges a
// line on the card, and any of it may be megabytes long. Every string from a vendor passes
// through here before it is stored, shown or logged.
import { createRedactor } from "../secrets.js";

/** How long each kind of vendor text may be, in characters. */
const VENDOR_TEXT_LIMITS = { message: 500, name: 200, id: 200 } as const;

type VendorTextKind = keyof typeof VENDOR_TEXT_LIMITS;

export type VendorTextScrubber = (text: string, kind?: VendorTextKind) => string;

// C0 and C1 control characters (NUL, escape sequences, line breaks), the bidirectional
// overrides and marks that make text read differently from how it is stored, and the byte-order
// mark: none of them is visible, so a name made only of them would show as nothing.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]+/g;

/** Redacts the given secrets, turns control characters into a space, and caps the length. */
export function createVendorTextScrubber(secrets: Iterable<string>): VendorTextScrubber {
  const redact = createRedactor(secrets);
  return (text, kind = "message") => {
    const clean = redact(text).replace(CONTROL, " ").replace(/ {2,}/g, " ").trim();
    const max = VENDOR_TEXT_LIMITS[kind];
    if (clean.length <= max) return clean;
    // Never cut inside a surrogate pair: half of one is not text.
    const end = /[\uD800-\uDBFF]/.test(clean[max - 2] ?? "") ? max - 2 : max - 1;
    return `${clean.slice(0, end)}…`;
  };
}
