// Calls the Deno-served `api` function through the gateway, as a given user.
import { inject } from "vitest";
import type { TestUser } from "./db.ts";

export async function accessToken(user: TestUser, password = "password-123") {
  const { supabaseUrl, publishableKey } = inject("stack");
  const res = await fetch(`${supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: publishableKey, "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password }),
  });
  if (!res.ok) throw new Error(`sign-in failed for ${user.email}: ${res.status}`);
  return (await res.json()).access_token as string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON the API answered
export type ApiAnswer = { status: number; body: any; text: string };

export async function api(
  path: string,
  init: {
    token?: string | null;
    method?: string;
    body?: unknown;
    rawBody?: string;
    /** Another server of the api function (default: the stack's gateway). */ base?: string;
  } = {},
): Promise<ApiAnswer> {
  const { supabaseUrl } = inject("stack");
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined || init.rawBody !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${init.base ?? `${supabaseUrl}/functions/v1`}/api${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body, text };
}
