import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // `const { secret: _secret, ...safe } = value` is how we drop fields; the underscore says so.
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  // Type-aware rules (issue 13): promises are awaited or marked `void`, switches over unions
  // cover every member, type-only imports say so.
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // React event handlers may be async: React ignores what they return.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/consistent-type-imports": ["error", { disallowTypeAnnotations: false, fixStyle: "inline-type-imports" }],
    },
  },
  {
    // The functions' entry points use Deno globals, so the Node tsconfig leaves them out: no type info.
    files: ["supabase/functions/*/index.ts"],
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/no-misused-promises": "off",
      "@typescript-eslint/switch-exhaustiveness-check": "off",
    },
  },
  // Import boundaries (STYLE.md: app → components → lib → _shared, one way).
  {
    // Edge functions and their shared code run under Deno too: no Next, no React, no app aliases.
    files: ["supabase/functions/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*"], message: "supabase/functions runs under Deno: no Next.js imports." },
            { group: ["react", "react/*", "react-dom", "react-dom/*"], message: "supabase/functions runs under Deno: no React." },
            { group: ["@/*"], message: "supabase/functions imports by relative path only (it is deployed on its own)." },
          ],
        },
      ],
    },
  },
  {
    // Components see the domain only as types; domain logic runs on the server (lib/actions, pages).
    files: ["components/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/supabase/functions/_shared/domain/*"],
              allowTypeImports: true,
              message: "Components import the domain only as types; call it through a server action.",
            },
            {
              // The adapters load the cloud SDKs (Node-only modules): a client bundle cannot hold them.
              group: ["@/supabase/functions/_shared/providers/*"],
              allowTypeImports: true,
              message: "Components import the provider adapters only as types; they load the cloud SDKs, which no browser bundle can hold.",
            },
          ],
        },
      ],
    },
  },
  {
    ignores: [".next*/**", ".local/**", "node_modules/**", "test-results/**", "playwright-report/**", "scratch/**", "next-env.d.ts"],
  },
];

export default config;
