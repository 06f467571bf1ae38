// Contract tests for the local GoTrue stand-in: the official supabase-js auth client drives it
// over HTTP against a real Postgres, and each behaviour is read back from the auth.* tables.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Session, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import ws from "ws";
import { createAuthServer, type AuthServer, type AuthServerOptions } from "../../supabase/local/auth-server.ts";
import { migrate } from "../../supabase/local/migrate.ts";
import { startPostgres, type LocalPostgres } from "../../supabase/local/postgres.ts";
import { firstRow } from "../support/rows.ts";

const publishableKey = "sb_publishable_test_0123456789";
const secretKey = "sb_secret_test_0123456789";
const password = "correct horse battery";

let tmp: string;
let pg: LocalPostgres;
let db: postgres.Sql;
let appSql: postgres.Sql;
let auth: AuthServer;
let http: Server;
let baseUrl: string;
let serverOptions: AuthServerOptions;
/** Moves the server's clock forward; tests only ever add to it. */
let clockOffsetMs = 0;
/** "METHOD /path" of every request the HTTP adapter served. */
const served: string[] = [];

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const HOP_BY_HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length"]);

async function toRequest(incoming: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(incoming.rawHeaders[i]!.toLowerCase())) headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD" && chunks.length > 0;
  return new Request(new URL(incoming.url ?? "/", origin), {
    method: incoming.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

async function sendResponse(outgoing: ServerResponse, response: Response) {
  outgoing.statusCode = response.status;
  response.headers.forEach((value, name) => outgoing.setHeader(name, value));
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

function client(key = publishableKey, headers: Record<string, string> = {}): SupabaseClient {
  return createClient(baseUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers },
    realtime: { transport: ws as never },
  });
}

const newEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

async function signUp(label: string) {
  const supabase = client();
  const email = newEmail(label);
  const { data, error } = await supabase.auth.signUp({ email, password });
  expect(error).toBeNull();
  return { supabase, email, session: data.session as Session, userId: data.user!.id };
}

async function signIn(email: string, secret = password) {
  const supabase = client();
  const result = await supabase.auth.signInWithPassword({ email, password: secret });
  return { supabase, ...result };
}

/** Refreshes with a fresh client each time, so auth-js's own failure cache never answers. */
function refresh(refreshToken: string) {
  return client().auth.refreshSession({ refresh_token: refreshToken });
}

async function sessionIdsOf(userId: string): Promise<string[]> {
  const rows = await db<{ id: string }[]>`select id from auth.sessions where user_id = ${userId} order by created_at`;
  return rows.map((row) => row.id);
}

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString("utf8"));
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "cloudkeep-auth-"));
  await chmod(tmp, 0o755); // the server runs as the OS user postgres
  pg = await startPostgres({ dataDir: join(tmp, "pg"), port: await freePort(), ephemeral: true });
  await migrate(pg.url);
  db = postgres(pg.url, { max: 2, onnotice: () => {} });
  appSql = postgres(pg.url, { max: 5, onnotice: () => {} });

  http = createServer((incoming, outgoing) => {
    served.push(`${incoming.method} ${new URL(incoming.url ?? "/", "http://x").pathname}`);
    toRequest(incoming, baseUrl)
      .then((request) => auth.handle(request))
      .then((response) => sendResponse(outgoing, response))
      .catch((error) => {
        outgoing.statusCode = 502;
        outgoing.end(String(error));
      });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  serverOptions = {
    sql: appSql,
    issuer: `${baseUrl}/auth/v1`,
    keyFile: join(tmp, "keys", "auth-signing-key.json"),
    publishableKey,
    secretKey,
    now: () => Date.now() + clockOffsetMs,
  };
  auth = await createAuthServer(serverOptions);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve));
  await appSql?.end({ timeout: 5 });
  await db?.end({ timeout: 5 });
  await pg?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 60_000);

describe("the local auth server", () => {
  it("refuses to start with NODE_ENV=production, before touching its key file", async () => {
    const keyFile = join(tmp, "production", "key.json");
    vi.stubEnv("NODE_ENV", "production");
    try {
      await expect(createAuthServer({ ...serverOptions, keyFile })).rejects.toThrow(/development and test stand-in.*Supabase Auth/s);
    } finally {
      vi.unstubAllEnvs();
    }
    await expect(stat(keyFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("keeps its ES256 signing key in a 0600 file and reuses it on restart", async () => {
    const info = await stat(serverOptions.keyFile);
    expect(info.mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(serverOptions.keyFile, "utf8"));
    expect(stored).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(stored.d).toEqual(expect.any(String));

    const restarted = await createAuthServer(serverOptions);
    expect(restarted.jwks()).toEqual(auth.jwks());
    const other = await createAuthServer({ ...serverOptions, keyFile: join(tmp, "keys", "other.json") });
    expect((other.jwks().keys[0] as { kid: string }).kid).not.toBe((auth.jwks().keys[0] as { kid: string }).kid);
  });

  it("serves only the public key at the JWKS endpoint, without an API key", async () => {
    const response = await fetch(`${baseUrl}/auth/v1/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.keys).toHaveLength(1);
    const [key] = body.keys;
    expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", key_ops: ["verify"] });
    expect(key.kid).toEqual(expect.any(String));
    expect(key).not.toHaveProperty("d");
    expect(body).toEqual(auth.jwks());
  });

  it("signs up a confirmed user and returns a session, as Supabase local does with confirmations off", async () => {
    const supabase = client();
    const email = newEmail("Signup");
    const { data, error } = await supabase.auth.signUp({ email, password, options: { data: { full_name: "Ada Lovelace" } } });
    expect(error).toBeNull();
    const { session, user } = data;
    expect(session).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(session!.expires_at).toBe(claimsOf(session!.access_token).exp as number);
    expect(session!.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    expect(user).toMatchObject({
      email: email.toLowerCase(),
      aud: "authenticated",
      role: "authenticated",
      phone: "",
      is_anonymous: false,
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: { full_name: "Ada Lovelace" },
    });
    expect(user!.email_confirmed_at).toEqual(expect.any(String));
    expect(user!.confirmed_at).toEqual(expect.any(String));
    expect(user!.identities).toEqual([
      expect.objectContaining({
        provider: "email",
        id: user!.id,
        user_id: user!.id,
        identity_data: expect.objectContaining({ sub: user!.id }),
      }),
    ]);

    const row = firstRow(
      await db`
      select email, encrypted_password, email_confirmed_at, last_sign_in_at, raw_user_meta_data
      from auth.users where id = ${user!.id}`,
    );
    expect(row.email).toBe(email.toLowerCase());
    expect(row.encrypted_password).toMatch(/^\$2[aby]\$/);
    expect(row.email_confirmed_at).toBeInstanceOf(Date);
    expect(row.last_sign_in_at).toBeInstanceOf(Date);
    expect(row.raw_user_meta_data).toEqual({ full_name: "Ada Lovelace" });
    const tokens = await db`
      select rt.token, rt.revoked, rt.parent from auth.refresh_tokens rt
      join auth.sessions s on s.id = rt.session_id where s.user_id = ${user!.id}`;
    expect(tokens).toEqual([{ token: session!.refresh_token, revoked: false, parent: null }]);
  });

  it("signs in with the password, opens a second session and records last_sign_in_at", async () => {
    const { email, userId } = await signUp("signin");
    await db`update auth.users set last_sign_in_at = null where id = ${userId}`;

    const { data, error } = await signIn(email.toUpperCase());
    expect(error).toBeNull();
    expect(data.user!.id).toBe(userId);
    expect(data.session!.access_token).toEqual(expect.any(String));
    const row = firstRow(await db`select last_sign_in_at from auth.users where id = ${userId}`);
    expect(Math.abs(row.last_sign_in_at.getTime() - (Date.now() + clockOffsetMs))).toBeLessThan(10_000);
    expect(await sessionIdsOf(userId)).toHaveLength(2);
  });

  it("issues access tokens that getClaims verifies through the JWKS endpoint", async () => {
    const { session, userId, email } = await signUp("claims");
    const verifier = client();
    served.length = 0;
    const { data, error } = await verifier.auth.getClaims(session.access_token);
    expect(error).toBeNull();
    expect(served).toContain("GET /auth/v1/.well-known/jwks.json");
    expect(served).not.toContain("GET /auth/v1/user"); // no fallback to asking the server
    expect(data!.header).toMatchObject({ alg: "ES256", kid: (auth.jwks().keys[0] as { kid: string }).kid });
    const [sessionId] = await sessionIdsOf(userId);
    expect(data!.claims).toMatchObject({
      iss: `${baseUrl}/auth/v1`,
      sub: userId,
      aud: "authenticated",
      role: "authenticated",
      email: email.toLowerCase(),
      phone: "",
      aal: "aal1",
      session_id: sessionId,
      is_anonymous: false,
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {},
    });
    expect(data!.claims.amr).toEqual([{ method: "password", timestamp: expect.any(Number) }]);
    expect(data!.claims.exp - data!.claims.iat).toBe(3600);

    const [header, , signature] = session.access_token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...claimsOf(session.access_token), role: "service_role" })).toString("base64url");
    const forged = `${header}.${forgedPayload}.${signature}`;
    const tampered = await verifier.auth.getClaims(forged);
    expect(tampered.data).toBeNull();
    expect(tampered.error).toMatchObject({ name: "AuthInvalidJwtError", message: "Invalid JWT signature" });

    const refused = await verifier.auth.getUser(forged);
    expect(refused.error).toMatchObject({ status: 403, code: "bad_jwt" });
  });

  it("rotates the refresh token within the same session", async () => {
    const { session, userId } = await signUp("rotate");
    const { data, error } = await refresh(session.refresh_token);
    expect(error).toBeNull();
    const next = data.session!;
    expect(next.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    expect(next.refresh_token).not.toBe(session.refresh_token);
    expect(claimsOf(next.access_token).session_id).toBe(claimsOf(session.access_token).session_id);
    expect(data.user!.id).toBe(userId);

    const rows = await db`
      select token, revoked, parent, session_id from auth.refresh_tokens
      where token in ${db([session.refresh_token, next.refresh_token])} order by id`;
    expect(rows).toEqual([
      { token: session.refresh_token, revoked: true, parent: null, session_id: claimsOf(session.access_token).session_id },
      { token: next.refresh_token, revoked: false, parent: session.refresh_token, session_id: claimsOf(session.access_token).session_id },
    ]);
  });

  it("hands back the active token when its parent is replayed, as GoTrue does for lost responses", async () => {
    const { session } = await signUp("replay");
    const first = await refresh(session.refresh_token);
    const again = await refresh(session.refresh_token);
    expect(again.error).toBeNull();
    expect(again.data.session!.refresh_token).toBe(first.data.session!.refresh_token);
    const { count } = firstRow(
      await db`
      select count(*)::int as count from auth.refresh_tokens where session_id = ${claimsOf(session.access_token).session_id as string}`,
    );
    expect(count).toBe(2);
  });

  it("settles concurrent refreshes of one token on the same new token", async () => {
    const { session } = await signUp("race");
    const results = await Promise.all([refresh(session.refresh_token), refresh(session.refresh_token), refresh(session.refresh_token)]);
    for (const result of results) expect(result.error).toBeNull();
    expect(new Set(results.map((result) => result.data.session!.refresh_token)).size).toBe(1);
  });

  it("refuses a refresh token that was already used and ends the session", async () => {
    const { session, userId } = await signUp("reuse");
    const child = (await refresh(session.refresh_token)).data.session!;
    const grandchild = (await refresh(child.refresh_token)).data.session!;
    clockOffsetMs += 11_000; // past GoTrue's 10 s reuse interval

    const reuse = await refresh(session.refresh_token);
    expect(reuse.data.session).toBeNull();
    expect(reuse.error).toMatchObject({ status: 400, code: "refresh_token_already_used", message: "Invalid Refresh Token: Already Used" });
    expect(await sessionIdsOf(userId)).toEqual([]);

    const stolen = await refresh(grandchild.refresh_token);
    expect(stolen.error).toMatchObject({ status: 400, code: "refresh_token_not_found" });
    const { error } = await client().auth.getUser(grandchild.access_token);
    expect(error).toMatchObject({ name: "AuthSessionMissingError" });
  });

  it("refuses an unknown refresh token with refresh_token_not_found", async () => {
    const { error } = await refresh("zzzzzzzzzzzz");
    expect(error).toMatchObject({
      status: 400,
      code: "refresh_token_not_found",
      message: "Invalid Refresh Token: Refresh Token Not Found",
    });
  });

  it("changes the password, then accepts only the new one and signs out the other sessions", async () => {
    const { supabase, email, session, userId } = await signUp("password");
    const other = await signIn(email);
    const newPassword = "a much better passphrase";

    const { data, error } = await supabase.auth.updateUser({ password: newPassword });
    expect(error).toBeNull();
    expect(data.user!.id).toBe(userId);

    expect((await signIn(email)).error).toMatchObject({ status: 400, code: "invalid_credentials" });
    expect((await signIn(email, newPassword)).error).toBeNull();
    expect((await refresh(other.data.session!.refresh_token)).error).toMatchObject({ code: "refresh_token_not_found" });
    expect((await client().auth.getUser(session.access_token)).error).toBeNull();
  });

  it("refuses a new password equal to the old one with same_password", async () => {
    const { supabase } = await signUp("same");
    const { error } = await supabase.auth.updateUser({ password });
    expect(error).toMatchObject({ status: 422, code: "same_password" });
  });

  it("merges user metadata on update and drops keys set to null", async () => {
    const { supabase, userId } = await signUp("metadata");
    await supabase.auth.updateUser({ data: { theme: "dark", locale: "en" } });
    const { data, error } = await supabase.auth.updateUser({ data: { locale: null, plan: "team" } });
    expect(error).toBeNull();
    expect(data.user!.user_metadata).toEqual({ theme: "dark", plan: "team" });
    const row = firstRow(await db`select raw_user_meta_data from auth.users where id = ${userId}`);
    expect(row.raw_user_meta_data).toEqual({ theme: "dark", plan: "team" });
  });

  it("rejects a weak new password with weak_password", async () => {
    const { supabase } = await signUp("weak-update");
    const { error } = await supabase.auth.updateUser({ password: "12345" });
    expect(error).toMatchObject({ name: "AuthWeakPasswordError", status: 422, code: "weak_password", reasons: ["length"] });
  });

  it("signs out every session and their refresh tokens stop working", async () => {
    const { supabase, email, session, userId } = await signUp("signout");
    const other = await signIn(email);
    expect(await sessionIdsOf(userId)).toHaveLength(2);

    const { error } = await supabase.auth.signOut();
    expect(error).toBeNull();
    expect(await sessionIdsOf(userId)).toEqual([]);
    expect((await refresh(session.refresh_token)).error).toMatchObject({ status: 400, code: "refresh_token_not_found" });
    expect((await client().auth.getUser(other.data.session!.access_token)).error).toMatchObject({ name: "AuthSessionMissingError" });
  });

  it("signs out only the other sessions with scope others", async () => {
    const { supabase, email, session, userId } = await signUp("others");
    const other = await signIn(email);
    const { error } = await supabase.auth.signOut({ scope: "others" });
    expect(error).toBeNull();
    expect(await sessionIdsOf(userId)).toEqual([claimsOf(session.access_token).session_id]);
    expect((await refresh(other.data.session!.refresh_token)).error).toMatchObject({ code: "refresh_token_not_found" });
    expect((await client().auth.getUser(session.access_token)).error).toBeNull();
  });

  it("rejects a wrong password with invalid_credentials", async () => {
    const { email } = await signUp("wrong");
    const { data, error } = await signIn(email, "not the password");
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ name: "AuthApiError", status: 400, code: "invalid_credentials", message: "Invalid login credentials" });
    const unknown = await signIn(newEmail("nobody"));
    expect(unknown.error).toMatchObject({ status: 400, code: "invalid_credentials" });
  });

  it("rejects a password under six characters at sign-up with weak_password", async () => {
    const email = newEmail("weak");
    const { error } = await client().auth.signUp({ email, password: "12345" });
    expect(error).toMatchObject({ name: "AuthWeakPasswordError", status: 422, code: "weak_password", reasons: ["length"] });
    expect(await db`select id from auth.users where email = ${email}`).toHaveLength(0);
  });

  it("rejects sign-up with a taken email, whatever its case, with user_already_exists", async () => {
    const { email } = await signUp("taken");
    const { data, error } = await client().auth.signUp({ email: email.toUpperCase(), password: "another password" });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ status: 422, code: "user_already_exists", message: "User already registered" });
    expect(await db`select id from auth.users where lower(email) = ${email}`).toHaveLength(1);
  });

  it("rejects sign-up with a malformed email with validation_failed", async () => {
    const { error } = await client().auth.signUp({ email: "not-an-email", password });
    expect(error).toMatchObject({ status: 400, code: "validation_failed" });
  });

  it("rate-limits the sixth failed sign-in for one email within five minutes", async () => {
    const { email } = await signUp("limited");
    const bystander = await signUp("bystander");
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await signIn(email, `guess ${attempt}`)).error).toMatchObject({ status: 400, code: "invalid_credentials" });
    }
    // Even the right password is refused while blocked, or the limit would leak it.
    expect((await signIn(email)).error).toMatchObject({ status: 429, code: "over_request_rate_limit" });
    expect((await signIn(bystander.email)).error).toBeNull();

    clockOffsetMs += 5 * 60_000 + 1_000;
    expect((await signIn(email)).error).toBeNull();
  });

  it("refuses an expired access token with bad_jwt", async () => {
    const { session } = await signUp("expired");
    clockOffsetMs += 3_601_000;
    const { error } = await client().auth.getUser(session.access_token);
    expect(error).toMatchObject({ status: 403, code: "bad_jwt" });
    expect(error!.message).toMatch(/expired/);
  });

  it("refuses admin endpoints with the publishable key or a user's token", async () => {
    const email = newEmail("not-admin");
    const anon = await client().auth.admin.createUser({ email, password });
    expect(anon.error).toMatchObject({ status: 403, code: "not_admin", message: "User not allowed" });

    const { session } = await signUp("user-as-admin");
    const asUser = await client(publishableKey, { Authorization: `Bearer ${session.access_token}` }).auth.admin.createUser({
      email,
      password,
    });
    expect(asUser.error).toMatchObject({ status: 403, code: "not_admin" });
    expect(await db`select id from auth.users where email = ${email}`).toHaveLength(0);
  });

  it("creates, reads and deletes users with the secret key", async () => {
    const admin = client(secretKey).auth.admin;
    const email = newEmail("admin-made");
    const created = await admin.createUser({
      email,
      password,
      email_confirm: true,
      user_metadata: { full_name: "Grace Hopper" },
      app_metadata: { plan: "team" },
    });
    expect(created.error).toBeNull();
    const user = created.data.user!;
    expect(user).toMatchObject({
      email,
      app_metadata: { provider: "email", providers: ["email"], plan: "team" },
      user_metadata: { full_name: "Grace Hopper" },
    });
    expect(user.email_confirmed_at).toEqual(expect.any(String));
    expect(user.last_sign_in_at).toBeUndefined();

    const signedIn = await signIn(email);
    expect(signedIn.error).toBeNull();
    expect(claimsOf(signedIn.data.session!.access_token).app_metadata).toMatchObject({ plan: "team" });
    expect((await admin.getUserById(user.id)).data.user).toMatchObject({ id: user.id, email });

    const deleted = await admin.deleteUser(user.id);
    expect(deleted.error).toBeNull();
    expect(await db`select id from auth.users where id = ${user.id}`).toHaveLength(0);
    expect(await sessionIdsOf(user.id)).toEqual([]);
    expect((await admin.getUserById(user.id)).error).toMatchObject({ status: 404, code: "user_not_found" });
    expect((await admin.deleteUser(user.id)).error).toMatchObject({ status: 404, code: "user_not_found" });
  });

  it("refuses to create a user whose email is taken with email_exists", async () => {
    const { email } = await signUp("admin-taken");
    const { error } = await client(secretKey).auth.admin.createUser({ email, password });
    expect(error).toMatchObject({ status: 422, code: "email_exists" });
  });

  it("does not sign in a user created without email_confirm", async () => {
    const email = newEmail("unconfirmed");
    const created = await client(secretKey).auth.admin.createUser({ email, password });
    expect(created.data.user!.email_confirmed_at).toBeUndefined();
    expect((await signIn(email)).error).toMatchObject({ status: 400, code: "email_not_confirmed" });
  });

  it("refuses requests without a valid API key, as Kong does", async () => {
    const missing = await fetch(`${baseUrl}/auth/v1/settings`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: "No API key found in request" });

    const wrong = await fetch(`${baseUrl}/auth/v1/settings`, { headers: { apikey: "sb_publishable_wrong" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: "Invalid API key" });

    const { email } = await signUp("apikey");
    const { error } = await client("sb_publishable_wrong").auth.signInWithPassword({ email, password });
    expect(error).toMatchObject({ status: 401, message: "Invalid API key" });
  });

  it("answers CORS preflight without an API key and marks every response", async () => {
    const preflight = await fetch(`${baseUrl}/auth/v1/token?grant_type=password`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "apikey, authorization, content-type, x-client-info, x-supabase-api-version",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("apikey");

    const health = await fetch(`${baseUrl}/auth/v1/health`, { headers: { apikey: publishableKey, Origin: "http://localhost:3000" } });
    expect(health.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(health.headers.get("x-supabase-api-version")).toBe("2024-01-01");
  });

  it("sends GoTrue's error body for the API version the client asked for", async () => {
    const request = (headers: Record<string, string>) =>
      fetch(`${baseUrl}/auth/v1/token?grant_type=password`, {
        method: "POST",
        headers: { apikey: publishableKey, "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ email: newEmail("shape"), password: "whatever" }),
      });

    const versioned = await request({ "X-Supabase-Api-Version": "2024-01-01" });
    expect(versioned.status).toBe(400);
    expect(versioned.headers.get("x-supabase-api-version")).toBe("2024-01-01");
    expect(await versioned.json()).toEqual({ code: "invalid_credentials", message: "Invalid login credentials" });

    const legacy = await request({});
    expect(await legacy.json()).toEqual({ code: 400, error_code: "invalid_credentials", msg: "Invalid login credentials" });

    const unknown = await fetch(`${baseUrl}/auth/v1/nowhere`, { headers: { apikey: publishableKey } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_code: "not_found" });

    const badJson = await fetch(`${baseUrl}/auth/v1/signup`, {
      method: "POST",
      headers: { apikey: publishableKey, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error_code: "bad_json" });
  });

  it("reports health and settings the way GoTrue does", async () => {
    const headers = { apikey: publishableKey };
    const health = await (await fetch(`${baseUrl}/auth/v1/health`, { headers })).json();
    expect(health).toMatchObject({ name: "GoTrue", version: expect.any(String), description: expect.any(String) });
    const settings = await (await fetch(`${baseUrl}/auth/v1/settings`, { headers })).json();
    expect(settings).toMatchObject({
      external: { email: true, phone: false, google: false },
      disable_signup: false,
      mailer_autoconfirm: true,
      phone_autoconfirm: false,
      saml_enabled: false,
    });
  });

  it("answers an unexpected failure with a bare 500 and logs it", async () => {
    const unreachable = postgres("postgres://postgres:postgres@127.0.0.1:1/postgres", { max: 1, connect_timeout: 2, onnotice: () => {} });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const broken = await createAuthServer({ ...serverOptions, sql: unreachable });
      const response = await broken.handle(
        new Request(`${baseUrl}/auth/v1/token?grant_type=password`, {
          method: "POST",
          headers: { apikey: publishableKey, "Content-Type": "application/json", "X-Supabase-Api-Version": "2024-01-01" },
          body: JSON.stringify({ email: newEmail("broken"), password }),
        }),
      );
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        code: "unexpected_failure",
        message: "Unexpected failure, please check server logs for more information",
      });
      expect(logged).toHaveBeenCalled();
    } finally {
      logged.mockRestore();
      await unreachable.end({ timeout: 1 });
    }
  });
});
