// ESLint with typescript-eslint's strict type-checked rules: they read the types, so they catch what a
// formatter or tsc alone lets through in an async service — a promise nobody awaits, an async
// function handed where a callback's result is ignored, an `await` of something that is not a
// promise. Formatting is Prettier's job (npm run format), not ESLint's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".data/", "src/db/generated/", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An async method that implements a promise-returning interface without awaiting is
      // deliberate: a throw inside it still becomes a rejection, as callers expect.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // strictTypeChecked, less four habits this codebase keeps on purpose:
      // - `list[0]!` after the length was checked: tsconfig's noUncheckedIndexedAccess types every
      //   index as possibly undefined, and a second check would only hide the first.
      "@typescript-eslint/no-non-null-assertion": "off",
      // - numbers and booleans in template strings ("3 of 5 approvals") are what messages are
      //   made of; an object, null or undefined in one is still refused.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // - `() => loop.start()` and `void promise` say plainly that nothing is returned.
      "@typescript-eslint/no-confusing-void-expression": [
        "error",
        { ignoreArrowShorthand: true, ignoreVoidOperator: true },
      ],
      // - `return void (await tell(…))` ends a Bolt handler in one line, whatever tell returns.
      "@typescript-eslint/no-meaningless-void-operator": "off",
      // A switch over a union (a status, an event, a notice) names every member, and a default
      // does not stand in for them: adding a status without handling it fails the lint.
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringContaining …) are typed `any`, and
    // tests read JSON on purpose to see what Slack or a vendor would see.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Teardown guards what setup may not have made (`await database?.drop()` after a failed
      // beforeAll), and fakes answer a request with `return reply(…)`.
      "@typescript-eslint/no-unnecessary-condition": "off",
      "@typescript-eslint/no-confusing-void-expression": "off",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { console: "readonly", process: "readonly", module: "writable" },
    },
  },
);
