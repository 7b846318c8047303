// The connector for each vendor rolegate supports.
import type { VendorName } from "../config/file.js";
import { createAitronos } from "./aitronos.js";
import { createDevin } from "./devin.js";
import { createDolfin } from "./dolfin.js";
import type { ConnectorFactory } from "./registry.js";
import { createSentry } from "./sentry.js";

export const CONNECTOR_FACTORIES: Record<VendorName, ConnectorFactory> = {
  sentry: createSentry,
  devin: createDevin,
  dolfin: createDolfin,
  aitronos: createAitronos,
};
