// Builds one connector per configured target, from a factory per vendor (vendors/index.ts),
// once, so each target keeps its connection pool and what it has cached. Each is wrapped so
// that what its vendor says is scrubbed of every credential rolegate holds before anyone sees it.
import type { RolegateConfig, Target, VendorName } from "../config/file.js";
import type { Dispatcher } from "undici";
import { secretValues } from "../secrets.js";
import type { ConnectorRegistry, TargetConnector } from "./connector.js";
import { MeteredConnector, type CallObserver } from "./metered-connector.js";
import { ScrubbedConnector } from "./scrubbed-connector.js";
import { createVendorTextScrubber, type VendorTextScrubber } from "./vendor-text.js";

export interface ConnectorContext {
  /** The credential, read from the environment variable the target names. */
  credential: string;
  /** Connection pool and timeouts; tests pass short ones. */
  dispatcher?: Dispatcher;
}

export type ConnectorFactory = (target: Target, context: ConnectorContext) => TargetConnector;

export class TargetConnectors implements ConnectorRegistry {
  private readonly connectors = new Map<string, TargetConnector>();
  private readonly scrub: VendorTextScrubber;

  constructor(
    private readonly config: Pick<RolegateConfig, "targets">,
    private readonly factories: Partial<Record<VendorName, ConnectorFactory>>,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly dispatcher?: Dispatcher,
    /** Told of every vendor call (the metrics); absent: nobody watches. */
    private readonly observe?: CallObserver,
  ) {
    this.scrub = createVendorTextScrubber(
      secretValues(
        env,
        [...config.targets.values()].map((t) => t.tokenEnv),
      ),
    );
  }

  forTarget(name: string): TargetConnector {
    const existing = this.connectors.get(name);
    if (existing) return existing;
    const target = this.config.targets.get(name);
    if (!target) throw new Error(`no target named ${name} in the config`);
    const factory = this.factories[target.vendor];
    if (!factory) throw new Error(`rolegate has no ${target.vendor} connector yet`);
    const credential = this.env[target.tokenEnv];
    if (!credential) throw new Error(`the environment variable ${target.tokenEnv} is not set`);
    const made = factory(target, { credential, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
    const connector = new ScrubbedConnector(this.observe ? new MeteredConnector(made, this.observe) : made, this.scrub);
    this.connectors.set(name, connector);
    return connector;
  }
}
