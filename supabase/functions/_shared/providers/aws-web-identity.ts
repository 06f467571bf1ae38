// AWS with no secret on either side: the customer's account trusts Cloudkeep's OIDC issuer (an IAM
// OIDC identity provider for CLOUDKEEP_OIDC_ISSUER, client ID sts.amazonaws.com), and a role whose
// trust policy pins this provider's subject. Cloudkeep issues a token for the provider and calls
// sts:AssumeRoleWithWebIdentity, which needs no AWS credentials of Cloudkeep's own (the call is not
// signed). A new session first proves the trust policy pins the subject: a token Cloudkeep issues
// for another provider must be refused, or any organization could read this account through
// Cloudkeep (the federation counterpart of the external ID's confused-deputy check).
//
// The call goes to the provider's api_endpoint when it has one (an STS-compatible endpoint, through
// the outbound policy), else to AWS's regional STS. Nothing sent there is Cloudkeep's: the token
// names this provider only and lives five minutes.
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AssumeRoleWithWebIdentityCommandOutput, Credentials } from "@aws-sdk/client-sts";
import { AWS_WEB_IDENTITY_AUDIENCE, issuerHostPath, OPERATOR_SUBJECT, webIdentityConditions } from "../federation/issuer.ts";
import { UpstreamError, providerFailure } from "../net/http.ts";
import { nodeAgents } from "../net/outbound.ts";
import { TokenCache } from "../net/token-cache.ts";
import { assumedRoleArn, type AwsKeyCredentials, type AwsWebIdentityCredentials } from "../schemas/providers.ts";
import { awsRoleSettings } from "./aws-role-templates.ts";
import { AWS_MAX_ATTEMPTS, awsCall, DEFAULT_TIMEOUT_MS, failureOf, homeRegion, withoutSdkLogging } from "./aws.ts";
import type { AdapterContext, ProviderFailure } from "./types.ts";

export const WEB_IDENTITY_SESSION_SECONDS = 900;
const SESSION_NAME = "cloudkeep";

/** What a person needs to fix the trust: the role, the issuer AWS must know, and the subject. */
export type WebIdentityFacts = { roleArn: string; issuer: string; subject: string };

const accountOf = (roleArn: string) => /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "the role's account";

/** What a refusal of AssumeRoleWithWebIdentity means, in terms of the link that failed. */
export function webIdentityFailure(error: unknown, facts: WebIdentityFacts): ProviderFailure {
  const base = failureOf(error);
  const code = base.code.replace(/Exception$/, "");
  const said = base.message;
  const account = accountOf(facts.roleArn);
  const host = issuerHostPath(facts.issuer);
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${host}`;
  if (
    code === "IDPCommunicationError" ||
    /couldn't retrieve verification key|could not be reached|unable to (?:fetch|retrieve)/i.test(said)
  ) {
    return providerFailure(
      "federation_issuer_unreachable",
      `AWS could not fetch Cloudkeep's OIDC keys from ${facts.issuer}.`,
      `AWS must reach ${facts.issuer}/.well-known/openid-configuration and the JWKS it names over public https. Check CLOUDKEEP_OIDC_ISSUER is this Cloudkeep's public URL and that the oidc function is deployed.`,
      502,
      true,
    );
  }
  if (code === "ExpiredToken" || /token (?:is )?expired|not yet valid/i.test(said)) {
    return providerFailure(
      "federation_token_expired",
      "AWS found Cloudkeep's token expired or not yet valid.",
      "Cloudkeep's tokens live five minutes: check the server clock (NTP) of Cloudkeep's functions, then try again.",
      401,
      true,
    );
  }
  if (code === "InvalidIdentityToken" && /no openid ?connect provider/i.test(said)) {
    return providerFailure(
      "federation_oidc_provider_missing",
      `Account ${account} has no IAM OIDC identity provider for ${facts.issuer}.`,
      `Create it (the template on the provider's page does): aws iam create-open-id-connect-provider --url ${facts.issuer} --client-id-list ${AWS_WEB_IDENTITY_AUDIENCE}`,
      401,
    );
  }
  if (code === "InvalidIdentityToken" && /audience/i.test(said)) {
    return providerFailure(
      "federation_audience_mismatch",
      `The IAM OIDC identity provider ${providerArn} does not accept the audience ${AWS_WEB_IDENTITY_AUDIENCE}.`,
      `Add ${AWS_WEB_IDENTITY_AUDIENCE} to its audiences (client IDs): aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${providerArn} --client-id ${AWS_WEB_IDENTITY_AUDIENCE}`,
      401,
    );
  }
  if (code === "InvalidIdentityToken" || code === "IDPRejectedClaim") {
    return providerFailure(
      "federation_signature_invalid",
      `AWS did not accept Cloudkeep's token for ${facts.issuer}. AWS said: ${said}`,
      `Check that the IAM OIDC identity provider's URL is exactly ${facts.issuer} and let AWS fetch the keys from its JWKS, which follows Cloudkeep's key rotation.`,
      401,
    );
  }
  if (base.status === 403 || code === "AccessDenied") {
    return providerFailure(
      "federation_role_denied",
      `AWS did not let this provider's subject assume ${facts.roleArn}: the role does not exist, does not trust ${providerArn}, or its trust policy pins another subject or audience (AWS gives the same answer for all three).`,
      `Check, in account ${account}: (1) the role exists with exactly this name and path; (2) its trust policy allows the federated principal ${providerArn} to call sts:AssumeRoleWithWebIdentity; ` +
        `(3) its condition is ${JSON.stringify(webIdentityConditions(facts.issuer, facts.subject))}. The template on the provider's page sets up all three.`,
      403,
    );
  }
  return base;
}

/** The trust policy accepted a token for another subject: it does not pin this provider's. */
export function subjectNotPinned(facts: WebIdentityFacts): ProviderFailure {
  return providerFailure(
    "federation_subject_not_pinned",
    `The trust policy of ${facts.roleArn} accepted a token Cloudkeep issued for another provider: any organization on this Cloudkeep could read the account. Cloudkeep will not use the role until its trust policy pins this provider's subject.`,
    `Use this condition in the statement that trusts the OIDC provider: "Condition": ${JSON.stringify(webIdentityConditions(facts.issuer, facts.subject))}`,
    403,
  );
}

/** Credentials checked before the provider exists (Test connection): no subject to trust yet. */
export function federationUnavailable(): ProviderFailure {
  return providerFailure(
    "federation_unavailable",
    "Web identity needs the saved provider: AWS trusts a subject that names it (org:<organization>:provider:<provider>).",
    "Save the provider, create the OIDC provider and role with the template on its page, then use Check now. (If it is saved, this Cloudkeep has no OIDC issuer: set CLOUDKEEP_OIDC_ISSUER.)",
    422,
  );
}

/** The temporary keys an STS answer carries, with their expiry; a malformed_response when any part is missing. */
export function temporaryKeys(
  issued: Credentials | undefined,
  region: string,
  answer: { operation: string; hint: string },
): { value: AwsKeyCredentials; expiresAt: Date } {
  if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken || !issued.Expiration) {
    throw new UpstreamError(
      providerFailure("malformed_response", `${answer.operation} answered without temporary credentials.`, answer.hint, 502),
    );
  }
  return {
    value: { access_key: issued.AccessKeyId, secret_key: issued.SecretAccessKey, session_token: issued.SessionToken, region },
    expiresAt: issued.Expiration,
  };
}

const sessionKeys = (assumed: AssumeRoleWithWebIdentityCommandOutput, region: string) =>
  temporaryKeys(assumed.Credentials, region, {
    operation: "AssumeRoleWithWebIdentity",
    hint: "Check the API endpoint is AWS STS, or leave it empty.",
  });

/** The facts a failure names; throws federation_unavailable when there is no subject yet. */
export function webIdentityFacts(credentials: AwsWebIdentityCredentials, context: AdapterContext): WebIdentityFacts {
  const federation = context.federation;
  if (!federation) throw new UpstreamError(federationUnavailable());
  return { roleArn: assumedRoleArn(credentials), issuer: federation.issuer, subject: federation.subject };
}

/** Where AssumeRoleWithWebIdentity goes: the provider's endpoint (through the outbound policy), or Cloudkeep's own STS (the environment's). */
type StsTarget = { kind: "provider"; context: AdapterContext } | { kind: "cloudkeep"; timeoutMs: number; signal?: AbortSignal };

/**
 * An STS client for AssumeRoleWithWebIdentity. No credentials: the call is unsigned (the SDK's noAuth
 * scheme), so the environment's AWS identity, if any, is never read or sent.
 */
async function webIdentityClient(target: StsTarget, roleArn: string, region: string) {
  const timeoutMs = target.kind === "provider" ? (target.context.timeoutMs ?? DEFAULT_TIMEOUT_MS) : target.timeoutMs;
  const agents = target.kind === "provider" ? nodeAgents(target.context.outbound) : {};
  const requestHandler = new NodeHttpHandler({ ...agents, connectionTimeout: Math.min(timeoutMs, 5_000), requestTimeout: timeoutMs });
  const { STSClient, AssumeRoleWithWebIdentityCommand } = await import("@aws-sdk/client-sts");
  const apiEndpoint = target.kind === "provider" ? target.context.apiEndpoint : awsRoleSettings().stsEndpoint;
  const client = withoutSdkLogging(
    new STSClient({
      region,
      requestHandler,
      maxAttempts: AWS_MAX_ATTEMPTS,
      retryMode: "standard",
      // A provider's call goes to its endpoint or AWS's, never AWS_ENDPOINT_URL*; Cloudkeep's own follows the environment.
      ...(target.kind === "provider" ? { ignoreConfiguredEndpointUrls: true, ...(apiEndpoint ? { endpoint: apiEndpoint } : {}) } : {}),
    }),
  );
  const session = {
    apiEndpoint,
    timeoutMs,
    signal: target.kind === "provider" ? target.context.signal : target.signal,
    secrets: [] as string[],
    temporary: false,
  };
  const assume = (token: string, sessionName = SESSION_NAME) => {
    session.secrets = [token];
    return awsCall(session, { service: "sts", action: "sts:AssumeRoleWithWebIdentity", region }, (abortSignal) =>
      client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName,
          DurationSeconds: WEB_IDENTITY_SESSION_SECONDS,
          WebIdentityToken: token,
        }),
        {
          abortSignal,
        },
      ),
    );
  };
  return { assume, close: () => requestHandler.destroy() };
}

/**
 * A verified session of the role: assumed with this provider's token, then the probe (a token for a
 * nonexistent provider of the same organization) must be refused. Only an AccessDenied proves the
 * trust pins the subject; anything else proves nothing, so the check fails and the next one retries.
 */
export async function assumeWithWebIdentity(
  credentials: AwsWebIdentityCredentials,
  context: AdapterContext,
): Promise<{ value: AwsKeyCredentials; expiresAt: Date }> {
  const facts = webIdentityFacts(credentials, context);
  const federation = context.federation!;
  const region = homeRegion(credentials);
  const { assume, close } = await webIdentityClient({ kind: "provider", context }, facts.roleArn, region);
  try {
    let assumed: AssumeRoleWithWebIdentityCommandOutput;
    try {
      assumed = await assume(await federation.token(AWS_WEB_IDENTITY_AUDIENCE));
    } catch (error) {
      throw new UpstreamError(webIdentityFailure(error, facts));
    }
    const keys = sessionKeys(assumed, region);
    if (federation.probeToken) {
      const probe = await federation
        .probeToken(AWS_WEB_IDENTITY_AUDIENCE)
        .then((token) => assume(token))
        .then(
          () => null,
          (error: unknown) => error,
        );
      if (probe === null) throw new UpstreamError(subjectNotPinned(facts));
      if (!(probe instanceof UpstreamError && probe.status === 403)) throw new UpstreamError(webIdentityFailure(probe, facts));
    }
    return keys;
  } finally {
    close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Cloudkeep's own AWS identity from its issuer (operators)

const operatorSessions = new TokenCache<AwsKeyCredentials>({ refreshBeforeMs: 3 * 60_000 });

/** Forgets Cloudkeep's own web identity session (tests). */
export function clearOperatorSession() {
  operatorSessions.clear();
}

/**
 * Cloudkeep's own AWS keys when the operator set CLOUDKEEP_AWS_OPERATOR_ROLE_ARN: a role in the
 * operator's account trusting this issuer for OPERATOR_SUBJECT, assumed at Cloudkeep's own STS (the
 * environment's endpoint) with a token the issuer signs. Null without that setting (the SDK's
 * default chain then supplies Cloudkeep's identity).
 */
export async function operatorKeys(context: AdapterContext, region: string, timeoutMs: number): Promise<AwsKeyCredentials | null> {
  const roleArn = awsRoleSettings().operatorRoleArn;
  if (!roleArn) return null;
  const federation = context.federation;
  if (!federation?.operatorToken) {
    throw new UpstreamError(
      providerFailure(
        "cloudkeep_identity_unavailable",
        "Cloudkeep's own AWS identity comes from its OIDC issuer (CLOUDKEEP_AWS_OPERATOR_ROLE_ARN), which is not configured here.",
        "This is Cloudkeep's configuration, not your role: the operator must set CLOUDKEEP_OIDC_ISSUER for the portal and functions.",
        503,
        true,
      ),
    );
  }
  return operatorSessions.get(["aws-operator", roleArn, federation.issuer, region], async () => {
    const { assume, close } = await webIdentityClient({ kind: "cloudkeep", timeoutMs, signal: context.signal }, roleArn, region);
    try {
      const assumed = await assume(await federation.operatorToken!(AWS_WEB_IDENTITY_AUDIENCE), "cloudkeep-operator").catch(
        (error: unknown) => {
          const said = webIdentityFailure(error, { roleArn, issuer: federation.issuer, subject: OPERATOR_SUBJECT });
          throw new UpstreamError({
            ...said,
            code: "cloudkeep_identity_unavailable",
            message: `Cloudkeep could not take its own AWS identity (${roleArn}) from its OIDC issuer: ${said.message}`,
            hint: `This is Cloudkeep's configuration, not your role. ${said.hint}`,
            status: 503,
          });
        },
      );
      return sessionKeys(assumed, region);
    } finally {
      close();
    }
  });
}
