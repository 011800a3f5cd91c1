// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "api/src/generated/**", "web/src/gql/**", "**/dist/**", ".data/**", "web/e2e/screenshots/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Configuration is read in exactly one place (api/src/env.ts) so it is parsed and documented once.
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through api/src/env.ts." }],
    },
  },
  {
    files: ["api/src/env.ts", "**/*.test.ts", "api/test/**", "scripts/**", "bench/**", "vitest.config.ts", "web/vite.config.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  { files: ["eslint.config.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
);
