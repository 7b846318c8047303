/** Raised at start when the environment or rolegate.yml is wrong; the message is for people. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    /** One line per problem, each naming the variable or key path. */
    readonly problems: string[],
  ) {
    super(message);
  }
}

export const README_POINTER = 'See README.md, section "Configuration".';
