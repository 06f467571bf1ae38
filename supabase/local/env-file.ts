// Reads and writes .env files (KEY=VALUE lines), and generates the local stack's keys.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { captures } from "../functions/_shared/captures.ts";

export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!match) continue;
    const [key, value] = captures(match, 2);
    out[key] = value.replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

export function writeEnvFile(path: string, header: string, values: Record<string, string>) {
  const body = Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  writeFileSync(
    path,
    `${header
      .split("\n")
      .map((l) => `# ${l}`)
      .join("\n")}\n${body}\n`,
    { mode: 0o600 },
  );
}

const token = (bytes: number) => randomBytes(bytes).toString("base64url");

/** Keys shaped like Supabase's new API keys. */
export function generateApiKeys() {
  return { publishableKey: `sb_publishable_${token(24)}`, secretKey: `sb_secret_${token(24)}` };
}

/** A one-key ring for CLOUDKEEP_ENCRYPTION_KEYS: "<key id>:<base64 of 32 random bytes>". */
export function generateKeyRing(now = new Date()) {
  const id = `k${now.toISOString().slice(0, 10).replaceAll("-", "")}${randomBytes(2).toString("hex")}`;
  return `${id}:${randomBytes(32).toString("base64")}`;
}

export function isLocalUrl(url: string) {
  try {
    const host = new URL(url).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}
