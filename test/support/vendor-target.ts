// What every connector test needs: a connector for one target on a fake vendor, with short
// timeouts, and a way to take the VendorError a call ends with.
import { expect } from "vitest";
import { parseConfig, type VendorName } from "../../src/config/file.js";
import type { TargetConnector } from "../../src/vendors/connector.js";
import { VendorError } from "../../src/vendors/errors.js";
import { createDispatcher } from "../../src/vendors/http.js";
import { CONNECTOR_FACTORIES } from "../../src/vendors/index.js";

const shortTimeouts = createDispatcher({ headersMs: 300, bodyMs: 300 });

export function connectorFor(
  vendor: VendorName,
  organization: string,
  origin: string,
  credential: string,
): TargetConnector {
  const config = parseConfig(
    `approvalChannel: C0123456789\napprovers: { users: [U0AAAAAAA] }\ntargets:\n  t: { vendor: ${vendor}, organization: "${organization}", baseUrl: "${origin}", tokenEnv: K }\n`,
    "test",
    { K: credential },
  );
  return CONNECTOR_FACTORIES[vendor](config.targets.get("t")!, { credential, dispatcher: shortTimeouts });
}

export async function vendorFailure(promise: Promise<unknown>): Promise<VendorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VendorError);
  return error as VendorError;
}

export const byEmail = (email: string) => ({ ref: email, email, vendorUserId: null });
