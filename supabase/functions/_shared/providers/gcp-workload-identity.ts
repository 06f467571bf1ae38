// Google Cloud by workload identity federation: no key. Each access token comes from Cloudkeep's own
// OIDC token for this provider (aud = the pool provider's resource name with https:, as Google
// expects by default), exchanged at Google's Security Token Service, then — when the configuration
// names a service account — traded for that account's token (generateAccessToken). Compute Engine
// is then read exactly as with a key.
//
// The signed token goes only to Google's STS and IAM Credentials hosts, or to the origin of the
// provider's own api_endpoint (a private Google endpoint; the fakes): checked before any token is
// issued. Every failure says which link broke: Google could not reach the issuer, the audience or
// the subject did not match, the token expired, or a role binding is missing.
import { requestJson, toProviderFailure, UpstreamError, type FetchLike, type RequestOptions, providerFailure } from "../net/http.ts";
import { TokenCache } from "../net/token-cache.ts";
import { gcpFederationAudience } from "../federation/issuer.ts";
import {
  GCP_STS_TOKEN_URL,
  impersonatedAccount,
  JWT_TOKEN_TYPE,
  parsePoolAudience,
  type GcpWorkloadIdentityCredentials,
} from "../schemas/providers/gcp-workload-identity.ts";
import { gcpTransport, listAggregatedInstances, projectIdentity, type GcpAdapterOptions } from "./gcp.ts";
import { gcpServiceBases, listGcpResources } from "./gcp-resources.ts";
import type { AdapterContext, HealthResult, ListResult, ProviderFailure } from "./types.ts";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
const GOOGLE_ORIGINS = ["https://sts.googleapis.com", "https://iamcredentials.googleapis.com"];

const cache = new TokenCache<string>();

/** Forgets every cached access token (tests; a process whose issuer changed). */
export function clearWorkloadIdentityTokens() {
  cache.clear();
}

type Call = {
  credentials: GcpWorkloadIdentityCredentials;
  context: AdapterContext;
  fetch: FetchLike;
  request: RequestOptions;
  base: string;
  /** The service account impersonated, or null: the federated principal reads Compute itself. */
  account: string | null;
  /** principal://…/subject/<sub>: the IAM member Google sees for this provider. */
  principal: string;
  subject: string;
  issuer: string;
  secrets: string[];
};

type Stage = "issue" | "exchange" | "impersonate" | "compute";

class StageError extends Error {
  constructor(
    readonly stage: Stage,
    override readonly cause: unknown,
  ) {
    super("gcp workload identity call failed");
  }
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  out = out.replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]").replace(/ya29\.[A-Za-z0-9._-]+/g, "[redacted]");
  return out.length > 300 ? `${out.slice(0, 297)}…` : out;
}

/** principal://iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/subject/<sub> */
export function workloadPrincipal(audience: string, subject: string): string {
  const pool = parsePoolAudience(audience);
  const base = pool
    ? `projects/${pool.projectNumber}/locations/global/workloadIdentityPools/${pool.pool}`
    : "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL";
  return `principal://iam.googleapis.com/${base}/subject/${subject}`;
}

/** Where the token may go: Google's own hosts, or the origin of the provider's api_endpoint. */
function refuseForeignUrl(url: string, label: string, context: AdapterContext) {
  const origin = new URL(url).origin;
  const own = context.apiEndpoint ? new URL(context.apiEndpoint).origin : null;
  if (GOOGLE_ORIGINS.includes(origin) || origin === own) return;
  throw new StageError(
    "issue",
    new UpstreamError(
      providerFailure(
        "refused_endpoint",
        `The configuration's ${label} (${new URL(url).host}) is neither Google's nor this provider's API endpoint; Cloudkeep sends its identity token nowhere else.`,
        `Use ${label === "token_url" ? GCP_STS_TOKEN_URL : "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/<email>:generateAccessToken"}, or set the provider's API endpoint to the private endpoint that serves it.`,
        422,
      ),
    ),
  );
}

function start(credentials: GcpWorkloadIdentityCredentials, context: AdapterContext, options: GcpAdapterOptions): Call {
  const federation = context.federation;
  if (!federation) {
    throw new StageError(
      "issue",
      new UpstreamError(
        providerFailure(
          "federation_unavailable",
          "Workload identity needs the saved provider: Google trusts a subject that names it (org:<organization>:provider:<provider>).",
          "Save the provider, follow the setup on its page, then use Check now. (If it is saved, this Cloudkeep has no OIDC issuer: set CLOUDKEEP_OIDC_ISSUER.)",
          422,
        ),
      ),
    );
  }
  refuseForeignUrl(credentials.token_url, "token_url", context);
  if (credentials.service_account_impersonation_url)
    refuseForeignUrl(credentials.service_account_impersonation_url, "service_account_impersonation_url", context);
  return {
    credentials,
    context,
    ...gcpTransport(context, options),
    account: impersonatedAccount(credentials.service_account_impersonation_url),
    principal: workloadPrincipal(credentials.audience, federation.subject),
    subject: federation.subject,
    issuer: federation.issuer,
    secrets: [],
  };
}

type StsBody = { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
type ImpersonationBody = { accessToken?: unknown; expireTime?: unknown };

/** STS (and impersonation): an access token for Compute (or `scope`), cached until a minute before it expires. */
function accessToken(call: Call, scope = CLOUD_PLATFORM): Promise<string> {
  const { credentials } = call;
  return cache.get(cacheKey(call, scope), async () => {
    let subjectToken: string;
    try {
      subjectToken = await call.context.federation!.token(gcpFederationAudience(credentials.audience));
    } catch (error) {
      throw new StageError("issue", error);
    }
    call.secrets.push(subjectToken);
    let exchanged: StsBody;
    try {
      const response = await requestJson<StsBody>(
        call.fetch,
        credentials.token_url,
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: TOKEN_EXCHANGE,
            audience: credentials.audience,
            scope: CLOUD_PLATFORM,
            requested_token_type: ACCESS_TOKEN_TYPE,
            subject_token_type: JWT_TOKEN_TYPE,
            subject_token: subjectToken,
          }).toString(),
        },
        call.request,
      );
      exchanged = response.body;
    } catch (error) {
      throw new StageError("exchange", error);
    }
    const federated = exchanged?.access_token;
    const lifetime = Number(exchanged?.expires_in);
    if (typeof federated !== "string" || !federated || !(lifetime > 0)) {
      throw new StageError(
        "exchange",
        new UpstreamError({
          code: "malformed_response",
          message: `${new URL(credentials.token_url).host} answered the token exchange without an access_token and expires_in.`,
        }),
      );
    }
    call.secrets.push(federated);
    if (!credentials.service_account_impersonation_url) return { value: federated, expiresAt: Date.now() + lifetime * 1000 };
    let impersonated: ImpersonationBody;
    try {
      const response = await requestJson<ImpersonationBody>(
        call.fetch,
        credentials.service_account_impersonation_url,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${federated}` },
          body: JSON.stringify({ scope: [scope], lifetime: "3600s" }),
        },
        call.request,
      );
      impersonated = response.body;
    } catch (error) {
      throw new StageError("impersonate", error);
    }
    const token = impersonated?.accessToken;
    const expires = typeof impersonated?.expireTime === "string" ? Date.parse(impersonated.expireTime) : NaN;
    if (typeof token !== "string" || !token || Number.isNaN(expires)) {
      throw new StageError(
        "impersonate",
        new UpstreamError({ code: "malformed_response", message: "generateAccessToken answered without an accessToken and expireTime." }),
      );
    }
    return { value: token, expiresAt: expires };
  });
}

/** A token is cached per pool provider, token and impersonation URL, subject, issuer and scope. */
function cacheKey({ credentials, subject, issuer }: Call, scope: string) {
  const impersonation = credentials.service_account_impersonation_url ?? null;
  return ["gcp-wif", credentials.audience, credentials.token_url, impersonation, subject, issuer, scope];
}

function forget(call: Call, scope = CLOUD_PLATFORM) {
  return cache.invalidate(cacheKey(call, scope));
}

async function authorized<T>(call: Call, url: string, scope = CLOUD_PLATFORM): Promise<T> {
  const token = await accessToken(call, scope);
  if (!call.secrets.includes(token)) call.secrets.push(token);
  try {
    return (await requestJson<T>(call.fetch, url, { headers: { authorization: `Bearer ${token}` } }, call.request)).body;
  } catch (error) {
    if (error instanceof UpstreamError && error.upstreamStatus === 401) await forget(call, scope);
    throw new StageError("compute", error);
  }
}

// ---------------------------------------------------------------------------------------------------
// Which link failed

type GoogleBody = {
  error?: string | { code?: number; message?: string; status?: string; errors?: { reason?: string }[] };
  error_description?: string;
};

function said(body: unknown): { oauth: string | null; text: string; status: string | null; reasons: string[] } {
  const parsed = (body && typeof body === "object" ? body : {}) as GoogleBody;
  if (typeof parsed.error === "string")
    return {
      oauth: parsed.error,
      text: typeof parsed.error_description === "string" ? parsed.error_description : "",
      status: null,
      reasons: [],
    };
  const error = parsed.error && typeof parsed.error === "object" ? parsed.error : {};
  return {
    oauth: null,
    text: typeof error.message === "string" ? error.message : "",
    status: typeof error.status === "string" ? error.status : null,
    reasons: Array.isArray(error.errors) ? error.errors.map((e) => (typeof e?.reason === "string" ? e.reason : "")).filter(Boolean) : [],
  };
}

function exchangeFailure(error: UpstreamError, call: Call): ProviderFailure {
  const { oauth, text } = said(error.body);
  const detail = text ? ` Google said: ${scrub(text, call.secrets)}` : "";
  const pool = parsePoolAudience(call.credentials.audience);
  const providerName = pool ? `${pool.pool}/${pool.provider}` : call.credentials.audience;
  const audience = gcpFederationAudience(call.credentials.audience);
  if (oauth === "invalid_grant" || oauth === "invalid_request" || oauth === "unauthorized_client") {
    if (/fetch|retriev|reach|discovery|openid-configuration|jwks/i.test(text)) {
      return providerFailure(
        "federation_issuer_unreachable",
        `Google could not fetch Cloudkeep's OIDC keys from ${call.issuer}.${detail}`,
        `Google must reach ${call.issuer}/.well-known/openid-configuration and its JWKS over public https. Check CLOUDKEEP_OIDC_ISSUER is this Cloudkeep's public URL and that the oidc function is deployed (supabase functions deploy oidc).`,
        502,
        true,
      );
    }
    if (/audience/i.test(text)) {
      return providerFailure(
        "federation_audience_mismatch",
        `The pool provider ${providerName} refused the token's audience ${audience}.${detail}`,
        `Leave the pool provider's allowed audiences empty (Google then accepts ${audience}), or add exactly that value: gcloud iam workload-identity-pools providers update-oidc ${pool?.provider ?? "PROVIDER"} --location=global --workload-identity-pool=${pool?.pool ?? "POOL"} --allowed-audiences=${audience}`,
        401,
      );
    }
    if (/attribute condition|subject/i.test(text)) {
      return providerFailure(
        "federation_subject_mismatch",
        `The pool provider ${providerName} rejected this provider's subject ${call.subject}.${detail}`,
        `Its attribute condition must admit assertion.sub == "${call.subject}", and its attribute mapping must be google.subject=assertion.sub.`,
        403,
      );
    }
    if (/expired|stale|exp\b|iat|nbf|not yet valid|too early/i.test(text)) {
      return providerFailure(
        "federation_token_expired",
        `Google found Cloudkeep's token expired or not yet valid.${detail}`,
        "Cloudkeep's tokens live five minutes: check the server clock (NTP) of Cloudkeep's functions, then try again.",
        401,
        true,
      );
    }
    if (/issuer|iss\b/i.test(text)) {
      return providerFailure(
        "federation_issuer_mismatch",
        `The pool provider ${providerName} expects another issuer.${detail}`,
        `Set the pool provider's issuer URI to exactly ${call.issuer} (no trailing slash).`,
        401,
      );
    }
    if (/signature|kid|key/i.test(text)) {
      return providerFailure(
        "federation_signature_invalid",
        `Google could not verify the token's signature with the keys it has for ${call.issuer}.${detail}`,
        `Do not upload a JWKS to the pool provider (--jwk-json-path): let Google fetch ${call.issuer}/.well-known/jwks.json, which follows Cloudkeep's key rotation.`,
        401,
      );
    }
  }
  if (error.upstreamStatus === 404 || oauth === "invalid_target" || /not found|disabled|deleted/i.test(text)) {
    return providerFailure(
      "federation_pool_not_found",
      `Google does not know the pool provider ${providerName}, or it is disabled.${detail}`,
      `Check the audience in the credential configuration (${call.credentials.audience}) and that the pool and its provider are enabled.`,
      404,
    );
  }
  const base = error.toFailure();
  return {
    ...base,
    message: scrub(`The token exchange at ${new URL(call.credentials.token_url).host} failed: ${error.message}`, call.secrets),
  };
}

function impersonationFailure(error: UpstreamError, call: Call): ProviderFailure {
  const { text } = said(error.body);
  const detail = text ? ` Google said: ${scrub(text, call.secrets)}` : "";
  if (error.upstreamStatus === 403 || error.upstreamStatus === 401) {
    return providerFailure(
      "federation_subject_not_bound",
      `${call.principal} may not impersonate ${call.account}: the subject ${call.subject} has no Workload Identity User binding on it.${detail}`,
      `gcloud iam service-accounts add-iam-policy-binding ${call.account} --role=roles/iam.workloadIdentityUser --member="${call.principal}"`,
      403,
    );
  }
  if (error.upstreamStatus === 404) {
    return providerFailure(
      "service_account_not_found",
      `The service account ${call.account} does not exist.${detail}`,
      "Check service_account_impersonation_url in the credential configuration.",
      404,
    );
  }
  const base = error.toFailure();
  return { ...base, message: scrub(`generateAccessToken for ${call.account} failed: ${error.message}`, call.secrets) };
}

function computeFailure(error: UpstreamError, call: Call): ProviderFailure {
  const project = call.credentials.project_id;
  const { reasons, status, text } = said(error.body);
  const detail = text ? ` Google said: ${scrub(text, call.secrets)}` : "";
  const member = call.account ? `serviceAccount:${call.account}` : call.principal;
  if (reasons.includes("accessNotConfigured") || status === "SERVICE_DISABLED") {
    return providerFailure(
      "compute_api_disabled",
      `The Compute Engine API is not enabled in project ${project}.`,
      `gcloud services enable compute.googleapis.com --project=${project}, wait a few minutes, then check again.`,
      403,
    );
  }
  if (error.upstreamStatus === 403 || status === "PERMISSION_DENIED") {
    return providerFailure(
      "permission_denied",
      `${call.account ?? call.principal} may not read Compute Engine in project ${project}.${detail}`,
      `Grant it Compute Viewer: gcloud projects add-iam-policy-binding ${project} --member="${member}" --role=roles/compute.viewer`,
      403,
    );
  }
  if (error.upstreamStatus === 404)
    return providerFailure(
      "project_not_found",
      `Project ${project} was not found.${detail}`,
      "Check the project ID saved with this provider.",
      404,
    );
  const base = error.toFailure();
  return { ...base, message: scrub(error.message, call.secrets) };
}

function describe(error: unknown, call: Call | null): ProviderFailure {
  const stage = error instanceof StageError ? error.stage : "compute";
  const cause = error instanceof StageError ? error.cause : error;
  if (cause instanceof UpstreamError && cause.upstreamStatus !== undefined && call) {
    if (stage === "exchange") return exchangeFailure(cause, call);
    if (stage === "impersonate") return impersonationFailure(cause, call);
    if (stage === "compute") return computeFailure(cause, call);
  }
  const base = toProviderFailure(cause);
  if (stage === "issue" && !(cause instanceof UpstreamError)) {
    return providerFailure(
      "federation_issue_failed",
      "Cloudkeep could not issue its identity token for this provider.",
      "Check the functions' database connection and CLOUDKEEP_ENCRYPTION_KEYS (the issuer's signing keys are sealed with it).",
      502,
      true,
    );
  }
  return call ? { ...base, message: scrub(base.message, call.secrets) } : base;
}

// ---------------------------------------------------------------------------------------------------
// Health and listing

function malformed(message: string) {
  return new StageError("compute", new UpstreamError({ code: "malformed_response", message }));
}

export async function checkWorkloadIdentityHealth(
  credentials: GcpWorkloadIdentityCredentials,
  context: AdapterContext,
  options: GcpAdapterOptions = {},
): Promise<HealthResult> {
  const started = performance.now();
  const checkedAt = new Date().toISOString();
  let call: Call | null = null;
  try {
    call = start(credentials, context, options);
    const project = await authorized<{ name?: unknown; id?: unknown }>(
      call,
      `${call.base}/compute/v1/projects/${encodeURIComponent(credentials.project_id)}`,
    );
    const details = {
      auth: "workload identity federation",
      principal: call.principal,
      ...(call.account ? { service_account: call.account } : {}),
    };
    return {
      ok: true,
      identity: projectIdentity(call.base, credentials.project_id, project, details, malformed),
      latencyMs: Math.round(performance.now() - started),
      checkedAt,
    };
  } catch (error) {
    return { ok: false, error: describe(error, call), latencyMs: Math.round(performance.now() - started), checkedAt };
  }
}

export async function listWorkloadIdentityResources(
  credentials: GcpWorkloadIdentityCredentials,
  context: AdapterContext & { type?: string },
  options: GcpAdapterOptions = {},
): Promise<ListResult> {
  let call: Call | null = null;
  try {
    call = start(credentials, context, options);
    const started = call;
    const get = (url: string) => authorized<unknown>(started, url);
    // The same listings as with a key: the token differs, not what it reads.
    return await listGcpResources(
      {
        get,
        bases: gcpServiceBases(context.apiEndpoint),
        project: credentials.project_id,
        regions: context.regions,
        secrets: started.secrets,
        malformed,
        failureOf: (error) => describe(error, started),
        member: started.account ? `serviceAccount:${started.account}` : started.principal,
        who: started.account ?? started.principal,
        listInstances: () =>
          listAggregatedInstances(get, {
            base: started.base,
            project: credentials.project_id,
            regions: context.regions,
            secrets: started.secrets,
            malformed,
          }),
      },
      context.type,
      (message) => scrub(message, started.secrets),
    );
  } catch (error) {
    const f = describe(error, call);
    throw new UpstreamError({ code: f.code, message: f.message, hint: f.hint, status: f.status, retryable: f.retryable });
  }
}

/**
 * Runs `work` with GETs to another Google API (Resource Manager, for organization discovery) under this
 * credential's federated identity at `scope`: the same issue, exchange and impersonation links, failures
 * named by the link that broke.
 */
export async function withWorkloadIdentity<T>(
  credentials: GcpWorkloadIdentityCredentials,
  context: AdapterContext,
  options: GcpAdapterOptions,
  scope: string,
  work: (get: <B>(url: string) => Promise<B>, secrets: string[]) => Promise<T>,
): Promise<T> {
  let call: Call | null = null;
  try {
    call = start(credentials, context, options);
    const started = call;
    return await work((url) => authorized(started, url, scope), started.secrets);
  } catch (error) {
    const f = describe(error, call);
    throw new UpstreamError({ code: f.code, message: f.message, hint: f.hint, status: f.status, retryable: f.retryable });
  }
}
