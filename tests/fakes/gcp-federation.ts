// Workload identity federation on the Google Cloud fake: the Security Token Service token exchange
// (POST /v1/token) that verifies the subject token the way Google does — discovery and JWKS fetched
// from the issuer over the network, ES256 signature, issuer, the pool provider's allowed audience,
// expiry, then the provider's attribute condition — and IAM Credentials generateAccessToken, which
// lets a federated principal impersonate a service account only with a Workload Identity User
// binding for its exact subject. Compute Engine then answers only principals granted Compute Viewer.
// Errors have Google's shapes: STS's OAuth JSON (invalid_grant, invalid_target), IAM's google.rpc.
import type { GcpFake } from "./gcp.ts";
import { createOidcVerifier, type OidcVerifier } from "./oidc-verify.ts";
import { bearerToken, group, type FakeRequest, type FakeResponse } from "./server.ts";

export type GcpFederationConfig = {
  projectNumber: string;
  pool: string;
  provider: string;
  /** The pool provider's issuer URI. */
  issuer: string;
  /** Allowed audiences; empty: Google's default, the provider's resource name with or without https:. */
  allowedAudiences: string[];
  /** Subjects the provider's attribute condition admits; undefined: no condition. */
  attributeConditionSubjects?: string[];
  /** The service account the configuration impersonates. */
  serviceAccount: string;
  /** Subjects bound roles/iam.workloadIdentityUser on that service account. */
  workloadIdentityUsers: string[];
  /** Members with roles/compute.viewer on the project: `serviceAccount:<email>` or a principal://… */
  computeViewers: string[];
  disabled: boolean;
};

export type GcpFederation = {
  config: GcpFederationConfig;
  verifier: OidcVerifier;
  /** The resource name the credential configuration's audience holds. */
  audience: string;
  principalOf(subject: string): string;
  /** A credential configuration as gcloud iam workload-identity-pools create-cred-config writes it, for this fake. */
  credentialConfig(options?: { impersonate?: boolean }): Record<string, unknown>;
  /** Every subject token Google accepted or refused: claims only. */
  exchanges: { ok: boolean; sub: unknown; aud: unknown; refusal?: string }[];
};

function oauthError(error: string, description: string): FakeResponse {
  return { status: 400, body: { error, error_description: description } };
}

function iamDenied(permission: string, resource: string): FakeResponse {
  return {
    status: 403,
    body: {
      error: {
        code: 403,
        message: `Permission '${permission}' denied on resource (or it may not exist).`,
        status: "PERMISSION_DENIED",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "IAM_PERMISSION_DENIED",
            domain: "iam.googleapis.com",
            metadata: { permission, resource },
          },
        ],
      },
    },
  };
}

export function enableGcpFederation(
  fake: GcpFake,
  initial: Partial<GcpFederationConfig> & Pick<GcpFederationConfig, "issuer">,
  verifier = createOidcVerifier(),
): GcpFederation {
  const config: GcpFederationConfig = {
    projectNumber: fake.state.projectNumber,
    pool: "cloudkeep-pool",
    provider: "cloudkeep",
    allowedAudiences: [],
    serviceAccount: `cloudkeep-federated@${fake.state.projectId}.iam.gserviceaccount.com`,
    workloadIdentityUsers: [],
    computeViewers: [],
    disabled: false,
    ...initial,
  };
  const resourceName = () =>
    `projects/${config.projectNumber}/locations/global/workloadIdentityPools/${config.pool}/providers/${config.provider}`;
  const principalOf = (subject: string) =>
    `principal://iam.googleapis.com/projects/${config.projectNumber}/locations/global/workloadIdentityPools/${config.pool}/subject/${subject}`;
  /** Tokens this module minted, and whom they stand for. */
  const holders = new Map<string, { member: string; subject: string | null }>();
  const exchanges: GcpFederation["exchanges"] = [];

  async function exchange(request: FakeRequest): Promise<FakeResponse> {
    const form = new URLSearchParams(request.body);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange")
      return oauthError("unsupported_grant_type", `Invalid grant_type: ${form.get("grant_type") ?? ""}`);
    if (form.get("requested_token_type") !== "urn:ietf:params:oauth:token-type:access_token")
      return oauthError("invalid_request", "Invalid requested_token_type.");
    if (form.get("subject_token_type") !== "urn:ietf:params:oauth:token-type:jwt")
      return oauthError("invalid_request", "Invalid subject_token_type for an OIDC provider.");
    if (form.get("audience") !== `//iam.googleapis.com/${resourceName()}` || config.disabled) {
      return oauthError(
        "invalid_target",
        'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
      );
    }
    const audiences = config.allowedAudiences.length
      ? config.allowedAudiences
      : [`https://iam.googleapis.com/${resourceName()}`, `//iam.googleapis.com/${resourceName()}`];
    const verdict = await verifier.verify(form.get("subject_token") ?? "", { issuer: config.issuer, audiences });
    if (!verdict.ok) {
      exchanges.push({ ok: false, sub: verdict.claims?.sub, aud: verdict.claims?.aud, refusal: verdict.refusal });
      const said: Record<typeof verdict.refusal, string> = {
        malformed: "Unable to parse the ID Token.",
        issuer_unreachable: `Failed to fetch the OpenID configuration or JWKS of issuer ${config.issuer}.`,
        issuer_mismatch: `The issuer in ID Token ${String(verdict.claims?.iss)} does not match the expected ISSUER ${config.issuer}.`,
        unknown_key: "Invalid ID Token: no matching key (kid) in the issuer's JWKS; invalid signature.",
        bad_signature: "Invalid ID Token: invalid signature.",
        audience_mismatch: `The audience in ID Token [${String(verdict.claims?.aud)}] does not match the expected audience.`,
        expired: "The ID Token has expired.",
        not_yet_valid: "The ID Token is not yet valid (nbf).",
        subject_mismatch: "The given credential is rejected by the attribute condition.",
      };
      return oauthError("invalid_grant", said[verdict.refusal]);
    }
    const subject = String(verdict.claims.sub);
    if (config.attributeConditionSubjects && !config.attributeConditionSubjects.includes(subject)) {
      exchanges.push({ ok: false, sub: subject, aud: verdict.claims.aud, refusal: "attribute_condition" });
      return oauthError("invalid_grant", "The given credential is rejected by the attribute condition.");
    }
    exchanges.push({ ok: true, sub: subject, aud: verdict.claims.aud });
    const { accessToken, expiresIn } = fake.grantAccessToken(principalOf(subject), form.get("scope") ?? "");
    holders.set(accessToken, { member: principalOf(subject), subject });
    return {
      body: {
        access_token: accessToken,
        issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
        token_type: "Bearer",
        expires_in: expiresIn,
      },
    };
  }

  function impersonate(request: FakeRequest, email: string): FakeResponse {
    const holder = holders.get(bearerToken(request) ?? "");
    if (!holder?.subject)
      return {
        status: 401,
        body: { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } },
      };
    if (email !== config.serviceAccount)
      return {
        status: 404,
        body: { error: { code: 404, message: `Not found; Gaia id not found for email ${email}`, status: "NOT_FOUND" } },
      };
    if (!config.workloadIdentityUsers.includes(holder.subject))
      return iamDenied("iam.serviceAccounts.getAccessToken", `projects/-/serviceAccounts/${email}`);
    let scope = "";
    try {
      scope = ((JSON.parse(request.body) as { scope?: string[] }).scope ?? []).join(" ");
    } catch {
      return { status: 400, body: { error: { code: 400, message: "Invalid JSON payload received.", status: "INVALID_ARGUMENT" } } };
    }
    const { accessToken, expiresIn } = fake.grantAccessToken(email, scope);
    holders.set(accessToken, { member: `serviceAccount:${email}`, subject: null });
    return { body: { accessToken, expireTime: new Date(Date.now() + expiresIn * 1000).toISOString() } };
  }

  fake.routes.push(async (request) => {
    if (request.path === "/v1/token" && request.method === "POST") return exchange(request);
    const generate = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(request.path);
    if (generate && request.method === "POST") return impersonate(request, decodeURIComponent(group(generate, 1)));
    if (request.path.startsWith("/compute/v1/")) {
      const holder = holders.get(bearerToken(request) ?? "");
      if (holder && !config.computeViewers.includes(holder.member)) {
        const project = /^\/compute\/v1\/projects\/([^/]+)/.exec(request.path)?.[1] ?? "";
        return {
          status: 403,
          body: {
            error: {
              code: 403,
              message: `Required 'compute.projects.get' permission for 'projects/${project}'`,
              errors: [{ message: "forbidden", domain: "global", reason: "forbidden" }],
              status: "PERMISSION_DENIED",
            },
          },
        };
      }
    }
    return null;
  });

  return {
    config,
    verifier,
    get audience() {
      return `//iam.googleapis.com/${resourceName()}`;
    },
    principalOf,
    exchanges,
    credentialConfig: ({ impersonate = true } = {}) => ({
      universe_domain: "googleapis.com",
      type: "external_account",
      audience: `//iam.googleapis.com/${resourceName()}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: `${fake.url}/v1/token`,
      ...(impersonate
        ? { service_account_impersonation_url: `${fake.url}/v1/projects/-/serviceAccounts/${config.serviceAccount}:generateAccessToken` }
        : {}),
      credential_source: { file: "/var/run/cloudkeep/token", format: { type: "text" } },
    }),
  };
}
