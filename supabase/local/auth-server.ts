// A GoTrue-compatible auth server for local development and tests: the subset of Supabase Auth
// Cloudkeep uses (email/password sign-up and sign-in, refresh-token rotation, user, logout, JWKS,
// admin create/get/delete user), on the same auth.* tables, speaking the same JSON, so the
// official @supabase/supabase-js client works against it unchanged.
// NEVER RUN IT IN PRODUCTION: it refuses to start with NODE_ENV=production. Use Supabase Auth.
//
// Kong's part of the hosted stack is emulated too: every route except the JWKS needs an
// `apikey` (the publishable or the secret key), and a secret key stands in for service_role.
//
// Not emulated, on purpose: phone, OTP, magic links, OAuth/SSO, MFA, anonymous sign-in, email
// confirmation and mail (sign-ups are confirmed at once, email changes apply at once), admin
// list/update, soft deletion, ban_duration and password_hash on admin create, GoTrue's per-IP
// rate limits (there is one per-email limit on failed sign-ins instead), and auth.identities /
// auth.audit_log_entries rows (identities are synthesised in responses).
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { JWTPayload } from "jose";
import type { JSONValue, Sql } from "postgres";
import {
  API_VERSION,
  API_VERSION_HEADER,
  AuthApiFailure,
  badRequest,
  failureBody,
  forbidden,
  notFound,
  unexpectedFailure,
  unprocessable,
  wantsVersionedErrors,
  weakPassword,
} from "./auth/errors.ts";
import { captures } from "../functions/_shared/captures.ts";
import { onlyRow } from "../functions/_shared/db.ts";
import { InvalidAccessToken, loadSigningKey, signAccessToken, verifyAccessToken, type SigningKey } from "./auth/keys.ts";
import { FailedSignInLimiter } from "./auth/rate-limit.ts";
import { AUDIENCE, isBanned, mergeMetadata, NIL_UUID, USER_COLUMNS, userJson, type UserRow } from "./auth/users.ts";

export type AuthServerOptions = {
  /** Superuser connection pool to the database. */
  sql: Sql;
  /** e.g. "http://127.0.0.1:54321/auth/v1": the JWT `iss`, and the base path requests arrive under. */
  issuer: string;
  /** Path of the ES256 private JWK; generated (with a random kid) on first run, mode 0600, reused after. */
  keyFile: string;
  /** "sb_publishable_..." accepted as apikey. */
  publishableKey: string;
  /** "sb_secret_..." accepted as apikey, and required for /admin/*. */
  secretKey: string;
  /** Access-token lifetime; default 3600. */
  jwtExpirySeconds?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
};

export type AuthServer = {
  handle(request: Request): Promise<Response>;
  jwks(): { keys: JsonWebKey[] };
};

const VERSION = "cloudkeep-local";
const PASSWORD_MIN_LENGTH = 6; // GoTrue's default GOTRUE_PASSWORD_MIN_LENGTH
const PASSWORD_MAX_BYTES = 72; // bcrypt ignores anything longer; GoTrue refuses it
/** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL default. */
const REFRESH_TOKEN_REUSE_INTERVAL_MS = 10_000;
const ADMIN_ROLES = ["service_role", "supabase_admin"];
// The format check GoTrue uses (badoux/checkmail).
const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFRESH_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  if (process.env.NODE_ENV === "production") {
    throw new Error(
      "The local auth server is a development and test stand-in for Supabase Auth and refuses to run with NODE_ENV=production. " +
        "Use Supabase Auth (a hosted Supabase project) in production.",
    );
  }
  const basePath = new URL(options.issuer).pathname.replace(/\/+$/, "");
  if (!options.publishableKey || !options.secretKey || options.publishableKey === options.secretKey) {
    throw new Error("The local auth server needs a publishable key and a different secret key.");
  }
  const expiry = options.jwtExpirySeconds ?? 3600;
  if (!Number.isInteger(expiry) || expiry <= 0) throw new Error("jwtExpirySeconds must be a positive whole number.");

  const server = new LocalAuthServer(options, await loadSigningKey(options.keyFile), basePath, expiry);
  return {
    handle: (request) => server.handle(request),
    jwks: () => ({ keys: [server.key.publicJwk] }),
  };
}

/** One request, with the clock read once so every timestamp it writes agrees. */
type Call = { request: Request; url: URL; now: Date };

type AccessClaims = JWTPayload & { role?: unknown; session_id?: unknown };

/** Kong's refusal, which is not shaped like a GoTrue error. */
class ApiKeyRefused extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

class LocalAuthServer {
  private readonly sql: Sql;
  private readonly clock: () => number;
  private readonly limiter = new FailedSignInLimiter(5, 5 * 60_000);

  constructor(
    private readonly options: AuthServerOptions,
    readonly key: SigningKey,
    private readonly basePath: string,
    private readonly expirySeconds: number,
  ) {
    this.sql = options.sql;
    this.clock = options.now ?? Date.now;
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    let response: Response;
    if (request.method === "OPTIONS") {
      response = preflight(request);
    } else {
      try {
        response = await this.route(request, url);
      } catch (error) {
        response = this.failureResponse(error, request, url);
      }
    }
    return withCommonHeaders(response, request);
  }

  private async route(request: Request, url: URL): Promise<Response> {
    const path = this.routePath(url.pathname);
    if (path === null) throw notFound("not_found", `No route for ${url.pathname}`);
    const call: Call = { request, url, now: new Date(this.clock()) };

    // Public, as on hosted Supabase: verifiers fetch it without a key.
    if (request.method === "GET" && path === "/.well-known/jwks.json") {
      return json(200, { keys: [this.key.publicJwk] }, { "Cache-Control": "public, max-age=600" });
    }
    this.requireApiKey(request, url);

    switch (`${request.method} ${path}`) {
      case "GET /health":
        return json(200, { version: VERSION, name: "GoTrue", description: "GoTrue is a user registration and authentication API" });
      case "GET /settings":
        return json(200, settings());
      case "POST /signup":
        return this.signup(call);
      case "POST /token":
        return this.token(call);
      case "GET /user":
        return this.getUser(call);
      case "PUT /user":
        return this.updateUser(call);
      case "POST /logout":
        return this.logout(call);
      case "POST /admin/users":
        await this.requireAdmin(call);
        return this.adminCreateUser(call);
    }
    const adminUser = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (adminUser && (request.method === "GET" || request.method === "DELETE")) {
      await this.requireAdmin(call);
      const userId = decodeURIComponent(captures(adminUser, 1)[0]);
      return request.method === "GET" ? this.adminGetUser(userId) : this.adminDeleteUser(call, userId);
    }
    throw notFound("not_found", `No route for ${request.method} ${url.pathname}`);
  }

  /** The path below the issuer's base path, or null when the request is not under it. */
  private routePath(pathname: string): string | null {
    if (pathname !== this.basePath && !pathname.startsWith(`${this.basePath}/`)) return null;
    const rest = pathname.slice(this.basePath.length).replace(/\/+$/, "");
    return rest === "" ? "/" : rest;
  }

  private failureResponse(error: unknown, request: Request, url: URL): Response {
    if (error instanceof ApiKeyRefused) return json(401, { message: error.message, hint: error.hint });
    let failure: AuthApiFailure;
    if (error instanceof AuthApiFailure) {
      failure = error;
    } else {
      // Logged here, never sent: the client sees GoTrue's generic 500.
      console.error(`[auth-server] ${request.method} ${url.pathname} failed:`, error);
      failure = unexpectedFailure();
    }
    return json(failure.status, failureBody(failure, wantsVersionedErrors(request)), { "X-Sb-Error-Code": failure.errorCode });
  }

  // --- Kong: API keys -----------------------------------------------------------------------

  private requireApiKey(request: Request, url: URL) {
    const bearer = bearerToken(request);
    const apikey =
      request.headers.get("apikey") ?? url.searchParams.get("apikey") ?? (bearer !== null && this.isApiKey(bearer) ? bearer : null);
    if (!apikey) throw new ApiKeyRefused("No API key found in request", "No `apikey` request header or url param was found.");
    if (!this.isApiKey(apikey)) throw new ApiKeyRefused("Invalid API key", "Double check your Supabase `anon` or `service_role` API key.");
  }

  private isApiKey(value: string) {
    return sameSecret(value, this.options.publishableKey) || sameSecret(value, this.options.secretKey);
  }

  // --- Access tokens --------------------------------------------------------------------------

  private async verify(token: string, now: Date): Promise<AccessClaims> {
    try {
      return await verifyAccessToken(this.key, token, now);
    } catch (error) {
      if (error instanceof InvalidAccessToken) {
        throw forbidden("bad_jwt", `invalid JWT: unable to parse or verify signature, ${error.message}`);
      }
      throw error;
    }
  }

  /** GoTrue's requireAuthentication: a valid access token whose user and session still exist. */
  private async authenticate(call: Call): Promise<{ user: UserRow; sessionId: string | null; claims: AccessClaims }> {
    const token = bearerToken(call.request);
    if (!token) throw new AuthApiFailure(401, "no_authorization", "This endpoint requires a valid Bearer token");
    // Kong turns an API key in Authorization into an anon/service_role JWT, which has no subject.
    if (this.isApiKey(token)) throw forbidden("bad_jwt", "invalid claim: missing sub claim");
    const claims = await this.verify(token, call.now);
    if (!claims.sub) throw forbidden("bad_jwt", "invalid claim: missing sub claim");
    if (!UUID_FORMAT.test(claims.sub)) throw badRequest("bad_jwt", "invalid claim: sub claim must be a UUID");
    const sessionId = typeof claims.session_id === "string" && claims.session_id !== NIL_UUID ? claims.session_id : null;
    if (sessionId !== null && !UUID_FORMAT.test(sessionId)) throw forbidden("bad_jwt", "invalid claim: session_id claim must be a UUID");

    const [row] = await this.sql<(UserRow & { session_exists: boolean })[]>`
      select ${this.sql(USER_COLUMNS)},
             exists (select 1 from auth.sessions where id = ${sessionId}::uuid) as session_exists
      from auth.users
      where id = ${claims.sub}`;
    if (!row) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
    if (sessionId !== null && !row.session_exists)
      throw forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
    if (isBanned(row, call.now)) throw forbidden("user_banned", "User is banned");
    return { user: row, sessionId, claims };
  }

  /** GoTrue's requireAdminCredentials behind Kong: the secret key, or a JWT with an admin role. */
  private async requireAdmin(call: Call) {
    const token = bearerToken(call.request) ?? call.request.headers.get("apikey") ?? call.url.searchParams.get("apikey");
    if (!token) throw new AuthApiFailure(401, "no_authorization", "This endpoint requires a valid Bearer token");
    if (sameSecret(token, this.options.secretKey)) return;
    if (sameSecret(token, this.options.publishableKey)) throw forbidden("not_admin", "User not allowed");
    const claims = await this.verify(token, call.now);
    if (typeof claims.role === "string" && ADMIN_ROLES.includes(claims.role)) return;
    throw forbidden("not_admin", "User not allowed");
  }

  /** The session response GoTrue's IssueRefreshToken and RefreshTokenGrant return. */
  private async sessionResponse(
    user: UserRow,
    session: { id: string; createdAt: Date },
    refreshToken: string,
    now: Date,
    extra: Record<string, unknown> = {},
  ): Promise<Response> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.expirySeconds;
    const accessToken = await signAccessToken(this.key, {
      iss: this.options.issuer,
      sub: user.id,
      aud: user.aud || AUDIENCE,
      exp,
      iat,
      email: user.email ?? "",
      phone: user.phone ?? "",
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      role: user.role || AUDIENCE,
      aal: "aal1",
      // Every session here starts with a password (sign-up signs in with one too).
      amr: [{ method: "password", timestamp: Math.floor(session.createdAt.getTime() / 1000) }],
      session_id: session.id,
      is_anonymous: user.is_anonymous,
    });
    return json(200, {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: exp - iat,
      expires_at: exp,
      refresh_token: refreshToken,
      user: userJson(user),
      ...extra,
    });
  }

  // --- POST /signup ---------------------------------------------------------------------------

  private async signup(call: Call): Promise<Response> {
    const body = await readJsonBody(call.request);
    const email = stringField(body, "email") ?? "";
    const phone = stringField(body, "phone") ?? "";
    const password = stringField(body, "password") ?? "";
    const data = objectField(body, "data") ?? {};

    // In GoTrue's order, so the same bad request gets the same error.
    if (!email && !phone) throw unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled");
    if (!password) throw badRequest("validation_failed", "Signup requires a valid password");
    checkPasswordStrength(password);
    if (email && phone) throw badRequest("validation_failed", "Only an email address or phone number should be provided on signup.");
    if (phone) throw badRequest("phone_provider_disabled", "Phone signups are disabled");
    const address = validateEmail(email);

    // Email confirmation is off (Supabase's local default): the user is confirmed and signed in
    // at once, user, session and refresh token in one statement.
    const { now } = call;
    const userId = randomUUID();
    const sessionId = randomUUID();
    const refreshToken = newRefreshToken();
    const appMetadata = { provider: "email", providers: ["email"] };
    const [user] = await this.sql<UserRow[]>`
      with new_user as (
        insert into auth.users (
          instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
          confirmation_token, recovery_token, email_change_token_new, email_change,
          last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_sso_user, is_anonymous
        ) values (
          ${NIL_UUID}, ${userId}, ${AUDIENCE}, ${AUDIENCE}, ${address}, extensions.crypt(${password}, extensions.gen_salt('bf', 10)), ${now},
          '', '', '', '',
          ${now}, ${this.sql.json(appMetadata)}, ${this.sql.json(data as JSONValue)}, ${now}, ${now}, false, false
        )
        on conflict (lower(email)) where is_sso_user = false do nothing
        returning ${this.sql(USER_COLUMNS)}
      ), new_session as (
        insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
        select ${sessionId}, id, ${now}, ${now}, 'aal1', ${userAgent(call.request)}, ${clientIp(call.request)}::inet from new_user
      ), new_refresh_token as (
        insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
        select ${NIL_UUID}, ${refreshToken}, id::text, false, ${now}, ${now}, ${sessionId} from new_user
      )
      select * from new_user`;
    // GoTrue answers a repeated sign-up this way when autoconfirm is on.
    if (!user) throw unprocessable("user_already_exists", "User already registered");
    return this.sessionResponse(user, { id: sessionId, createdAt: now }, refreshToken, now);
  }

  // --- POST /token ----------------------------------------------------------------------------

  private async token(call: Call): Promise<Response> {
    const grantType = call.url.searchParams.get("grant_type");
    if (grantType === "password") return this.passwordGrant(call);
    if (grantType === "refresh_token") return this.refreshTokenGrant(call);
    // Sic: GoTrue answers an unknown grant with this code and message.
    throw badRequest("invalid_credentials", "unsupported_grant_type");
  }

  private async passwordGrant(call: Call): Promise<Response> {
    const body = await readJsonBody(call.request);
    const email = stringField(body, "email") ?? "";
    const phone = stringField(body, "phone") ?? "";
    const password = stringField(body, "password") ?? "";
    if (email && phone) throw badRequest("validation_failed", "Only an email address or phone number should be provided on login.");
    if (phone) throw unprocessable("phone_provider_disabled", "Phone logins are disabled");
    if (!email) throw badRequest("validation_failed", "missing email or phone");

    const { now } = call;
    const limiterKey = email.trim().toLowerCase();
    const attemptAt = now.getTime();
    if (!this.limiter.tryAcquire(limiterKey, attemptAt)) {
      throw new AuthApiFailure(429, "over_request_rate_limit", "Request rate limit reached");
    }

    // Look-up and bcrypt check in one round trip; the hash never leaves the database.
    const [found] = await this.sql<(UserRow & { password_ok: boolean })[]>`
      select ${this.sql(USER_COLUMNS)},
             coalesce(case when encrypted_password like '$2%'
                           then extensions.crypt(${password}, encrypted_password) = encrypted_password end, false) as password_ok
      from auth.users
      where lower(email) = lower(${email}) and is_sso_user = false`;
    if (!found?.password_ok) throw badRequest("invalid_credentials", "Invalid login credentials");
    this.limiter.release(limiterKey, attemptAt);
    if (isBanned(found, now)) throw badRequest("user_banned", "User is banned");
    if (!found.email_confirmed_at) throw badRequest("email_not_confirmed", "Email not confirmed");

    const sessionId = randomUUID();
    const refreshToken = newRefreshToken();
    const users = await this.sql<UserRow[]>`
      with new_session as (
        insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
        values (${sessionId}, ${found.id}, ${now}, ${now}, 'aal1', ${userAgent(call.request)}, ${clientIp(call.request)}::inet)
      ), new_refresh_token as (
        insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
        values (${NIL_UUID}, ${refreshToken}, ${found.id}, false, ${now}, ${now}, ${sessionId})
      )
      update auth.users set last_sign_in_at = ${now}
      where id = ${found.id}
      returning ${this.sql(USER_COLUMNS)}`;
    const user = onlyRow(users, "update auth.users (last_sign_in_at)");

    // Like GoTrue, a correct but weak password (say, set by an admin) still signs in, with a warning.
    const extra =
      Buffer.byteLength(password) < PASSWORD_MIN_LENGTH
        ? { weak_password: { message: `Password should be at least ${PASSWORD_MIN_LENGTH} characters.`, reasons: ["length"] } }
        : {};
    return this.sessionResponse(user, { id: sessionId, createdAt: now }, refreshToken, now, extra);
  }

  /**
   * GoTrue's refresh-token rotation (its v1 tokens): the used token is revoked and a child is
   * issued in the same session. A revoked token is still accepted when it is the parent of the
   * session's active token (the client lost the last response; the active token is returned,
   * which also settles concurrent refreshes) or was revoked less than 10 s ago. Any other reuse
   * ends the whole session. The row locks serialise concurrent refreshes of one session.
   */
  private async refreshTokenGrant(call: Call): Promise<Response> {
    const body = await readJsonBody(call.request);
    const presented = stringField(body, "refresh_token") ?? "";
    if (presented.length < 12) throw badRequest("validation_failed", "Refresh token is not valid");
    const { now } = call;

    type Locked = {
      id: string;
      token: string;
      revoked: boolean;
      updated_at: Date;
      session_id: string;
      user_id: string;
      session_created_at: Date;
      not_after: Date | null;
    };
    const outcome = await this.sql.begin(async (tx) => {
      const [current] = await tx<Locked[]>`
        select rt.id, rt.token, rt.revoked, rt.updated_at, s.id as session_id, s.user_id,
               s.created_at as session_created_at, s.not_after
        from auth.refresh_tokens rt
        join auth.sessions s on s.id = rt.session_id
        where rt.token = ${presented}
        for update of rt, s`;
      if (!current) throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
      if (current.not_after !== null && current.not_after <= now)
        throw badRequest("session_expired", "Invalid Refresh Token: Session Expired");

      let issued: string | null = null;
      if (current.revoked) {
        const [active] = await tx<{ token: string; parent: string | null }[]>`
          select token, parent from auth.refresh_tokens
          where session_id = ${current.session_id} and revoked = false
          order by id desc limit 1`;
        if (active?.parent === current.token) {
          issued = active.token;
        } else if (now.getTime() > current.updated_at.getTime() + REFRESH_TOKEN_REUSE_INTERVAL_MS) {
          // Possible theft: end the session (its refresh tokens go with it) and commit that.
          await tx`delete from auth.sessions where id = ${current.session_id}`;
          return { reused: true as const };
        }
      }
      if (issued === null) {
        issued = newRefreshToken();
        await tx`
          with revoked as (
            update auth.refresh_tokens set revoked = true, updated_at = ${now} where id = ${current.id}
          )
          insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
          values (${NIL_UUID}, ${issued}, ${current.user_id}, false, ${now}, ${now}, ${current.token}, ${current.session_id})`;
      }
      const users = await tx<UserRow[]>`
        with touched as (
          update auth.sessions
          set refreshed_at = (${now}::timestamptz at time zone 'UTC'), updated_at = ${now},
              user_agent = ${userAgent(call.request)}, ip = ${clientIp(call.request)}::inet
          where id = ${current.session_id}
        )
        select ${tx(USER_COLUMNS)} from auth.users where id = ${current.user_id}`;
      const user = onlyRow(users, "select of the refresh token's user");
      if (isBanned(user, now)) throw badRequest("user_banned", "Invalid Refresh Token: User Banned");
      return { reused: false as const, user, issued, session: { id: current.session_id, createdAt: current.session_created_at } };
    });

    if (outcome.reused) throw badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used");
    return this.sessionResponse(outcome.user, outcome.session, outcome.issued, now);
  }

  // --- /user ----------------------------------------------------------------------------------

  private async getUser(call: Call): Promise<Response> {
    const { user, claims } = await this.authenticate(call);
    const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    if (audience !== (user.aud || AUDIENCE)) throw badRequest("validation_failed", "Token audience doesn't match request audience");
    return json(200, userJson(user));
  }

  private async updateUser(call: Call): Promise<Response> {
    const { user, sessionId } = await this.authenticate(call);
    const body = await readJsonBody(call.request);
    const email = stringField(body, "email");
    const password = stringField(body, "password");
    const data = objectField(body, "data");
    const address = email ? validateEmail(email) : null;
    if (stringField(body, "phone")) throw badRequest("validation_failed", "The local auth server does not support phone numbers");
    if (password !== undefined) checkPasswordStrength(password);
    if (objectField(body, "app_metadata")) throw forbidden("not_admin", "Updating app_metadata requires admin privileges");

    const newEmail = address !== null && address !== user.email ? address : null;
    const newPassword = password ?? null;
    const { now } = call;

    const updated = await this.sql.begin(async (tx) => {
      const [current] = await tx<{ raw_user_meta_data: Record<string, unknown> | null; same_password: boolean; email_taken: boolean }[]>`
        select raw_user_meta_data,
               coalesce(case when ${newPassword}::text is not null and encrypted_password like '$2%'
                             then extensions.crypt(${newPassword}, encrypted_password) = encrypted_password end, false) as same_password,
               exists (select 1 from auth.users other
                       where lower(other.email) = lower(${newEmail}::text) and other.id <> ${user.id} and other.is_sso_user = false) as email_taken
        from auth.users where id = ${user.id}
        for update`;
      if (!current) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
      if (current.same_password) throw unprocessable("same_password", "New password should be different from the old password.");
      if (current.email_taken) throw unprocessable("email_exists", "A user with this email address has already been registered");

      const metadata = data ? tx.json(mergeMetadata(current.raw_user_meta_data, data) as JSONValue) : null;
      // No mailer here: an email change takes effect at once, as if its confirmation link was followed.
      const rows = await tx<UserRow[]>`
        update auth.users set
          encrypted_password = case when ${newPassword}::text is null then encrypted_password
                                    else extensions.crypt(${newPassword}, extensions.gen_salt('bf', 10)) end,
          email = coalesce(${newEmail}::text, email),
          email_confirmed_at = case when ${newEmail}::text is null then email_confirmed_at else ${now} end,
          raw_user_meta_data = coalesce(${metadata}::jsonb, raw_user_meta_data),
          updated_at = ${now}
        where id = ${user.id}
        returning ${tx(USER_COLUMNS)}`;
      if (newPassword !== null) {
        // As GoTrue does: a new password signs out every other session.
        await tx`delete from auth.sessions where user_id = ${user.id} and id is distinct from ${sessionId}::uuid`;
      }
      return onlyRow(rows, "update auth.users (user attributes)");
    });
    return json(200, userJson(updated));
  }

  // --- POST /logout ---------------------------------------------------------------------------

  private async logout(call: Call): Promise<Response> {
    const { user, sessionId } = await this.authenticate(call);
    const scope = call.url.searchParams.get("scope") ?? "";
    if (!["", "global", "local", "others"].includes(scope)) {
      throw badRequest("validation_failed", `Unsupported logout scope ${JSON.stringify(scope)}`);
    }
    // Deleting a session deletes its refresh tokens (on delete cascade).
    if (sessionId !== null && scope === "local") {
      await this.sql`delete from auth.sessions where id = ${sessionId}`;
    } else if (sessionId !== null && scope === "others") {
      await this.sql`delete from auth.sessions where user_id = ${user.id} and id <> ${sessionId}`;
    } else {
      await this.sql`delete from auth.sessions where user_id = ${user.id}`;
    }
    return new Response(null, { status: 204 });
  }

  // --- /admin/users ---------------------------------------------------------------------------

  private async adminCreateUser(call: Call): Promise<Response> {
    const body = await readJsonBody(call.request);
    const email = stringField(body, "email") ?? "";
    const phone = stringField(body, "phone") ?? "";
    const password = stringField(body, "password");
    const emailConfirm = booleanField(body, "email_confirm") ?? false;
    const userMetadata = objectField(body, "user_metadata") ?? {};
    const appMetadata = objectField(body, "app_metadata") ?? {};
    const id = stringField(body, "id");
    const role = stringField(body, "role") || AUDIENCE;

    if (!email && !phone) throw badRequest("validation_failed", "Cannot create a user without either an email or phone");
    for (const unsupported of ["phone", "password_hash", "ban_duration", "phone_confirm"]) {
      if (body[unsupported] !== undefined && body[unsupported] !== null && body[unsupported] !== "" && body[unsupported] !== false) {
        throw badRequest("validation_failed", `The local auth server does not support "${unsupported}"`);
      }
    }
    const address = validateEmail(email);
    if (password && Buffer.byteLength(password) > PASSWORD_MAX_BYTES) {
      throw badRequest("validation_failed", `Password cannot be longer than ${PASSWORD_MAX_BYTES} characters`);
    }
    if (id !== undefined && !UUID_FORMAT.test(id)) throw badRequest("validation_failed", "ID must conform to the uuid v4 format");
    if (id === NIL_UUID) throw badRequest("validation_failed", "ID cannot be a nil uuid");

    const { now } = call;
    // Like GoTrue, an admin-created user without a password gets an unguessable one.
    const effectivePassword = password || randomBytes(48).toString("base64url");
    const app = mergeMetadata({ provider: "email", providers: ["email"] }, appMetadata);
    let user: UserRow | undefined;
    try {
      [user] = await this.sql<UserRow[]>`
        insert into auth.users (
          instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
          confirmation_token, recovery_token, email_change_token_new, email_change,
          raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_sso_user, is_anonymous
        ) values (
          ${NIL_UUID}, ${id ?? randomUUID()}, ${AUDIENCE}, ${role}, ${address},
          extensions.crypt(${effectivePassword}, extensions.gen_salt('bf', 10)), ${emailConfirm ? now : null},
          '', '', '', '',
          ${this.sql.json(app as JSONValue)}, ${this.sql.json(userMetadata as JSONValue)}, ${now}, ${now}, false, false
        )
        on conflict (lower(email)) where is_sso_user = false do nothing
        returning ${this.sql(USER_COLUMNS)}`;
    } catch (error) {
      if ((error as { code?: string; constraint_name?: string }).constraint_name === "users_pkey") {
        throw unprocessable("validation_failed", "A user with this ID already exists");
      }
      throw error;
    }
    if (!user) throw unprocessable("email_exists", "A user with this email address has already been registered");
    return json(200, userJson(user));
  }

  private async adminGetUser(userId: string): Promise<Response> {
    if (!UUID_FORMAT.test(userId)) throw notFound("validation_failed", "user_id must be an UUID");
    const [user] = await this.sql<UserRow[]>`select ${this.sql(USER_COLUMNS)} from auth.users where id = ${userId}`;
    if (!user) throw notFound("user_not_found", "User not found");
    return json(200, userJson(user));
  }

  private async adminDeleteUser(call: Call, userId: string): Promise<Response> {
    if (!UUID_FORMAT.test(userId)) throw notFound("validation_failed", "user_id must be an UUID");
    const body = await readJsonBody(call.request);
    if (booleanField(body, "should_soft_delete")) {
      throw badRequest("validation_failed", "The local auth server does not support soft deletion");
    }
    // Sessions and, through them, refresh tokens go with the user (on delete cascade).
    const deleted = await this.sql`delete from auth.users where id = ${userId} returning id`;
    if (deleted.length === 0) throw notFound("user_not_found", "User not found");
    return json(200, {});
  }
}

// --- Helpers ----------------------------------------------------------------------------------

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

const EXPOSED_HEADERS = "X-Total-Count, Link, X-Supabase-Api-Version, X-Sb-Error-Code";
const DEFAULT_ALLOWED_HEADERS =
  "authorization, apikey, content-type, accept, x-client-info, x-supabase-api-version, x-client-ip, x-jwt-aud, x-use-cookie";

/** Browsers call the auth API directly, so CORS is permissive, as on hosted Supabase. */
function withCommonHeaders(response: Response, request: Request): Response {
  const origin = request.headers.get("Origin");
  response.headers.set(API_VERSION_HEADER, API_VERSION);
  response.headers.set("Access-Control-Allow-Origin", origin ?? "*");
  if (origin) {
    response.headers.set("Access-Control-Allow-Credentials", "true");
    response.headers.append("Vary", "Origin");
  }
  response.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  return response;
}

function preflight(request: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
      "Access-Control-Allow-Headers": request.headers.get("Access-Control-Request-Headers") ?? DEFAULT_ALLOWED_HEADERS,
      "Access-Control-Max-Age": "600",
    },
  });
}

function settings() {
  const providers = [
    "apple",
    "azure",
    "bitbucket",
    "discord",
    "facebook",
    "snapchat",
    "figma",
    "fly",
    "github",
    "gitlab",
    "google",
    "keycloak",
    "kakao",
    "linkedin",
    "linkedin_oidc",
    "notion",
    "spotify",
    "slack",
    "slack_oidc",
    "workos",
    "twitch",
    "twitter",
    "zoom",
  ];
  return {
    external: { anonymous_users: false, ...Object.fromEntries(providers.map((name) => [name, false])), email: true, phone: false },
    disable_signup: false,
    mailer_autoconfirm: true,
    phone_autoconfirm: false,
    sms_provider: "twilio",
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  };
}

function bearerToken(request: Request): string | null {
  const match = /^[Bb]earer (\S+)$/.exec(request.headers.get("Authorization") ?? "");
  return match ? captures(match, 1)[0] : null;
}

/** Compares secrets in constant time (hashing first so lengths do not leak either). */
function sameSecret(value: string, secret: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(value), digest(secret));
}

/** GoTrue's legacy refresh-token format: 12 characters of [a-z0-9]. */
function newRefreshToken(): string {
  let token = "";
  for (let i = 0; i < 12; i++) token += REFRESH_TOKEN_ALPHABET[randomInt(REFRESH_TOKEN_ALPHABET.length)];
  return token;
}

function userAgent(request: Request): string | null {
  return request.headers.get("User-Agent") || null;
}

/** The client address a gateway forwarded, if it is one. */
function clientIp(request: Request): string | null {
  const first = request.headers.get("X-Forwarded-For")?.split(",")[0]?.trim();
  return first && isIP(first) && !first.includes("%") ? first : null;
}

function validateEmail(email: string): string {
  if (!email) throw badRequest("validation_failed", "An email address is required");
  if (email.length > 255) throw badRequest("validation_failed", "An email address is too long");
  if (!EMAIL_FORMAT.test(email)) throw badRequest("validation_failed", "Unable to validate email address: invalid format");
  return email.toLowerCase();
}

/** GoTrue's checkPasswordStrength with its defaults (lengths in bytes, as Go counts them). */
function checkPasswordStrength(password: string) {
  const bytes = Buffer.byteLength(password);
  if (bytes > PASSWORD_MAX_BYTES) throw badRequest("validation_failed", `Password cannot be longer than ${PASSWORD_MAX_BYTES} characters`);
  if (bytes < PASSWORD_MIN_LENGTH) throw weakPassword(PASSWORD_MIN_LENGTH);
}

type Body = Record<string, unknown>;

async function readJsonBody(request: Request): Promise<Body> {
  const text = await request.text();
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest("bad_json", `Could not parse request body as JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("bad_json", "Could not parse request body as JSON: expected an object");
  }
  return value as Body;
}

function typedField<T>(body: Body, name: string, type: string, check: (value: unknown) => boolean): T | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw badRequest("bad_json", `Could not parse request body as JSON: "${name}" must be ${type}`);
  return value as T;
}

const stringField = (body: Body, name: string) => typedField<string>(body, name, "a string", (v) => typeof v === "string");
const booleanField = (body: Body, name: string) => typedField<boolean>(body, name, "a boolean", (v) => typeof v === "boolean");
const objectField = (body: Body, name: string) =>
  typedField<Record<string, unknown>>(body, name, "an object", (v) => typeof v === "object" && v !== null && !Array.isArray(v));
