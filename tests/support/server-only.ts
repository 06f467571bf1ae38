// Stand-in for the `server-only` marker inside Vitest (see vitest.config.ts).
export {};
