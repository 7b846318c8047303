// The HTTP client every connector uses: undici with connect, header and body timeouts and a
// keep-alive pool per host. It turns every answer a vendor can give — any status, a rate limit,
// a timeout, a body that is not JSON or not of the shape the endpoint's schema says — into either
// the parsed answer or a VendorError, never a crash.
// Reads may be retried here, quickly; writes are never retried here: the executor owns their
// attempts, so a write reaches the vendor once per attempt.
import { Agent, errors as undiciErrors, request, type Dispatcher } from "undici";
import type { z } from "zod";
import { sleep } from "../clock.js";
import { parseDuration } from "../config/duration.js";
import { VendorError, type VendorErrorKind } from "./errors.js";

export interface HttpOptions {
  /** The vendor's origin (plus any path prefix of a proxy in front of it). */
  baseUrl: string;
  /** Headers sent with every call: the credential, and anything the vendor always needs. */
  headers: Record<string, string>;
  /** How the vendor words its errors: its message, code and request id from a failed answer. */
  describeError: (
    status: number,
    body: unknown,
    headers: Headers,
  ) => { message?: string; code?: string; requestId?: string };
  /** How long to wait when the vendor asks us to, beyond Retry-After (e.g. Sentry's reset header). */
  retryAfter?: (headers: Headers, now: number) => number | undefined;
  dispatcher?: Dispatcher;
  /** Quick retries of a failed read (not of writes). */
  readRetries?: number;
  clock?: () => number;
}

export interface CallSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path after the base URL, starting with "/". */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A POST that only reads (a search) may be retried like a GET. */
  read?: boolean;
  /**
   * The longest a read may wait for a rate limit to lift (Retry-After or the vendor's reset)
   * before it fails; 2 s unless said. A background listing is patient; a person waiting is not.
   */
  patienceMs?: number;
  signal?: AbortSignal;
}

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TimeoutOptions {
  connectMs?: number;
  headersMs?: number;
  bodyMs?: number;
}

/** Pooled connections per host, with bounds on every wait. */
export function createDispatcher(timeouts: TimeoutOptions = {}): Dispatcher {
  return new Agent({
    connect: { timeout: timeouts.connectMs ?? 5_000 },
    headersTimeout: timeouts.headersMs ?? 15_000,
    bodyTimeout: timeouts.bodyMs ?? 15_000,
    keepAliveTimeout: 30_000,
    connections: 8,
  });
}

const sharedDispatcher = createDispatcher();

export class VendorHttp {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: HttpOptions) {
    this.dispatcher = options.dispatcher ?? sharedDispatcher;
  }

  /**
   * Calls the vendor and parses a 2xx answer with `schema` (the endpoint's documented shape; an
   * answer nobody reads is z.unknown()). A non-2xx answer becomes a VendorError of the matching
   * kind; an answer of another shape, one that names the field.
   */
  async call<T>(spec: CallSpec, schema: z.ZodType<T>): Promise<HttpAnswer<T>> {
    const answer = await this.withReadRetries(spec);
    // Parsed after the quick retries, not inside them: an answer of the wrong shape is no blip.
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) throw unexpectedShape(parsed.error, spec, answer.status);
    return { ...answer, body: parsed.data };
  }

  private async withReadRetries(spec: CallSpec): Promise<HttpAnswer> {
    const isRead = spec.method === "GET" || spec.read === true;
    const tries = isRead ? 1 + (this.options.readRetries ?? 2) : 1;
    const patienceMs = spec.patienceMs ?? 2_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(spec);
      } catch (error) {
        const retry =
          attempt < tries &&
          error instanceof VendorError &&
          error.transient &&
          (error.retryAfterMs ?? 0) <= patienceMs &&
          !spec.signal?.aborted;
        if (!retry) throw error;
        await sleep(Math.max(error.retryAfterMs ?? 0, 200 * attempt), spec.signal);
      }
    }
  }

  private async once(spec: CallSpec): Promise<HttpAnswer> {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, "") + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const hasBody = spec.body !== undefined;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: spec.method,
        headers: {
          accept: "application/json",
          ...(hasBody ? { "content-type": "application/json" } : {}),
          ...this.options.headers,
        },
        body: hasBody ? JSON.stringify(spec.body) : null,
        dispatcher: this.dispatcher,
        signal: spec.signal ?? null,
      });
    } catch (error) {
      throw networkError(error, spec);
    }

    const headers = toHeaders(response.headers);
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw networkError(error, spec);
    }
    const status = response.statusCode;
    const body = parseBody(text, headers);

    if (status >= 200 && status < 300) {
      if (body === MALFORMED) {
        throw new VendorError({
          kind: "unavailable",
          message: `The vendor answered ${spec.method} ${spec.path} with something that is not JSON`,
          httpStatus: status,
        });
      }
      return { status, headers, body };
    }
    const described = this.options.describeError(status, body === MALFORMED ? text.slice(0, 300) : body, headers);
    const kind = kindOf(status);
    throw new VendorError({
      kind,
      message: described.message || `HTTP ${status} from ${spec.method} ${spec.path}`,
      httpStatus: status,
      ...(described.code ? { vendorCode: described.code } : {}),
      ...(described.requestId ? { requestId: described.requestId } : {}),
      ...(kind === "rate_limited" || status === 503 ? retryAfterOf(headers, this.options) : {}),
    });
  }
}

const MALFORMED = Symbol("malformed");

/** An answer of another shape than documented: which fields are wrong (the first three), and where. */
function unexpectedShape(error: z.ZodError, spec: CallSpec, status: number): VendorError {
  const where = (path: readonly PropertyKey[]) =>
    path.length === 0
      ? "the answer"
      : path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i > 0 ? "." : ""}${String(key)}`)).join("");
  const issues = error.issues.slice(0, 3).map((issue) => `${where(issue.path)}: ${issue.message}`);
  return new VendorError({
    kind: "unavailable",
    message: `The vendor's answer was not what its API documents: ${issues.join("; ")} (${spec.method} ${spec.path})`,
    httpStatus: status,
  });
}

function parseBody(text: string, headers: Headers): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    // Declared JSON that does not parse is a broken answer; anything else is plain text
    // (Sentry's 429 body is a bare string, a proxy's error page is HTML).
    return (headers.get("content-type") ?? "").includes("json") ? MALFORMED : text;
  }
}

function kindOf(status: number): VendorErrorKind {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status >= 500 || status === 408) return "unavailable";
  return "invalid";
}

function retryAfterOf(headers: Headers, options: HttpOptions): { retryAfterMs?: number } {
  const now = (options.clock ?? Date.now)();
  const fromVendor = options.retryAfter?.(headers, now);
  if (fromVendor !== undefined) return { retryAfterMs: fromVendor };
  const header = headers.get("retry-after");
  if (!header) return {};
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return { retryAfterMs: Math.max(0, seconds * 1000) };
  const date = Date.parse(header);
  return Number.isFinite(date) ? { retryAfterMs: Math.max(0, date - now) } : {};
}

/** "30", "1.5" (seconds) or "6m0s", "250ms" (durations), as rate-limit headers are written. */
export function parseResetDuration(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const ms = parseDuration(
    value.replace(/(\d+)\.(\d+)s/, (_, s: string, f: string) => `${s}s${Math.round(Number(`0.${f}`) * 1000)}ms`),
  );
  return ms ?? undefined;
}

function networkError(error: unknown, spec: CallSpec): VendorError | Error {
  // An abort by our own caller is not the vendor's fault: let it through as it is.
  if (spec.signal?.aborted) return spec.signal.reason instanceof Error ? spec.signal.reason : (error as Error);
  const timeout =
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  const message = timeout
    ? "the vendor did not answer in time"
    : `could not reach the vendor (${(error as Error).message})`;
  return new VendorError({ kind: "unavailable", message });
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}
