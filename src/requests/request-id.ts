// Request ids people can read aloud and type: six characters of Crockford's base32 (no I, L,
// O or U, so nothing is mistaken for 1, 0 or a word). 32^6 ≈ 1.07e9 ids; a collision is
// retried on insert.
import { randomInt } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const REQUEST_ID_LENGTH = 6;

export function newRequestId(): string {
  let id = "";
  for (let i = 0; i < REQUEST_ID_LENGTH; i++) id += ALPHABET.charAt(randomInt(ALPHABET.length));
  return id;
}

/**
 * The id a person meant, or null: accepts any case, a leading "#", and the letters Crockford
 * decodes as digits (o→0, i/l→1).
 */
export function normalizeRequestId(input: string): string | null {
  const id = input.trim().replace(/^#/, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
  return new RegExp(`^[${ALPHABET}]{${REQUEST_ID_LENGTH}}$`).test(id) ? id : null;
}
