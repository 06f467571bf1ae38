// What went wrong in an AWS SDK call (STS, EC2, S3 and S3-compatible servers), as a stable code, a
// message and a hint a person can act on. Messages are built here or copied from AWS after redaction:
// they never carry a secret key, a session token or signature material.
import { providerFailure } from "../net/http.ts";
import type { ProviderFailure } from "./types.ts";

export type AwsCallDescription = {
  /** "sts", "ec2", "rds", "eks", "s3", "cloudtrail" or "organizations". */
  service: "sts" | "ec2" | "rds" | "eks" | "elasticloadbalancing" | "s3" | "cloudtrail" | "organizations";
  /** The IAM action the call needs, e.g. "sts:GetCallerIdentity". */
  action: string;
  /** The endpoint's host, named in connection errors. */
  host: string;
  /** The call ran out of its time budget (our deadline aborted it). */
  timedOut: boolean;
  /** The caller cancelled. */
  cancelled?: boolean;
  timeoutMs: number;
  /** Every secret that must never appear in a message (secret key, session token). */
  secrets: string[];
  /** The SDK client's region, named when a server expects another one. */
  region: string;
  /** Whether the credential is a temporary (session-token) one. */
  temporary?: boolean;
};

type SdkError = Error & {
  code?: string;
  Code?: string;
  Region?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number };
  cause?: unknown;
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPROTO",
]);
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_)/;
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "SlowDown",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "EC2ThrottledException",
]);
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "Forbidden"]);

/** Removes secrets and anything signature-shaped from text that came from a server. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out
    .replace(/Signature=[0-9a-f]{16,}/gi, "Signature=[redacted]")
    .replace(/\b[0-9a-f]{64}\b/gi, "[redacted]")
    .replace(/AWS4-HMAC-SHA256[\s\S]*/g, "[redacted]")
    .slice(0, 400);
}

/** The chain of errors and causes, outermost first (SDKs wrap socket errors). */
function chain(error: unknown): SdkError[] {
  const out: SdkError[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && out.length < 6) {
    out.push(current as SdkError);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/** "ec2:DescribeInstances" from "…is not authorized to perform: ec2:DescribeInstances because…". */
function actionFrom(message: string): string | null {
  return /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1] ?? null;
}

const READ_ONLY_POLICY: Record<AwsCallDescription["service"], string> = {
  sts: "every IAM identity may call it unless a policy explicitly denies it",
  ec2: "the AWS-managed ReadOnlyAccess or AmazonEC2ReadOnlyAccess policy includes it",
  rds: "the AWS-managed ReadOnlyAccess or AmazonRDSReadOnlyAccess policy includes it",
  eks: "the AWS-managed ReadOnlyAccess policy includes it",
  elasticloadbalancing: "the AWS-managed ReadOnlyAccess or ElasticLoadBalancingReadOnly policy includes it",
  s3: "the AWS-managed AmazonS3ReadOnlyAccess policy includes it; on MinIO the readonly policy",
  cloudtrail: "the AWS-managed ReadOnlyAccess or AWSCloudTrail_ReadOnlyAccess policy includes it",
  organizations: "the AWS-managed AWSOrganizationsReadOnlyAccess policy includes it",
};

function expiredSessionToken(message: string): ProviderFailure {
  return {
    code: "ExpiredToken",
    message,
    hint: "Temporary credentials expire (after 1–36 hours): request new ones (aws sts get-session-token or assume-role) and rotate them here, or use a long-term access key.",
    status: 401,
    retryable: false,
  };
}

/** Maps any error from an AWS SDK call to a ProviderFailure. */
export function describeAwsError(error: unknown, call: AwsCallDescription): ProviderFailure {
  const clean = (text: string) => redact(text, call.secrets);
  const links = chain(error);
  const top = links[0] ?? ({} as SdkError);
  const status = top.$metadata?.httpStatusCode ?? top.$response?.statusCode;
  const name = String(top.name ?? "Error");
  const awsMessage = /Deserialization error|XML parse error/i.test(String(top.message ?? "")) ? "" : clean(String(top.message ?? ""));
  const said = awsMessage ? ` AWS said: "${awsMessage}"` : "";

  if (call.timedOut) {
    return providerFailure(
      "timeout",
      `${call.host} did not answer ${call.action} within ${Math.round(call.timeoutMs / 100) / 10} s.`,
      "Try again; if it keeps happening, check the endpoint is reachable from Cloudkeep and not behind a slow proxy.",
      504,
      true,
    );
  }
  if (call.cancelled) {
    return providerFailure("aborted", `The ${call.action} call was cancelled.`, "The request was cancelled; try again.", 499, true);
  }

  for (const link of links) {
    if (link.name === "OutboundRefusedError") {
      return providerFailure(
        "refused_endpoint",
        clean(link.message),
        "Change the API endpoint, or ask an admin to allow-list its network.",
        422,
      );
    }
    if (link.name === "ResolveError") {
      return providerFailure(
        "unreachable",
        clean(link.message),
        "Check the host name in the API endpoint; it must resolve in public DNS.",
        502,
        true,
      );
    }
    const code = link.code ?? "";
    if (TLS_CODE.test(code)) {
      return providerFailure(
        "tls_error",
        `The TLS certificate of ${call.host} was not accepted (${code}).`,
        "Use an endpoint with a certificate from a public CA, or check the host name matches the certificate.",
        502,
      );
    }
    if (NETWORK_CODES.has(code)) {
      return providerFailure(
        "unreachable",
        `Could not connect to ${call.host} (${code}).`,
        "Check the API endpoint (scheme, host and port) and that the service is reachable from Cloudkeep.",
        502,
        true,
      );
    }
  }
  if (name === "TimeoutError" || name === "RequestTimeout") {
    return providerFailure(
      "timeout",
      `${call.host} did not answer ${call.action} in time.`,
      "Try again; if it keeps happening, check the endpoint is reachable from Cloudkeep.",
      504,
      true,
    );
  }
  const unparsable = /Deserialization error|XML parse error|not well-formed|Unexpected (token|end)|char .* is not expected/i.test(
    String(top.message ?? ""),
  );
  // A gateway's non-XML 429 or 5xx page is still a throttle or an outage, not a wrong endpoint.
  if (unparsable && status !== 429 && !(status !== undefined && status >= 500)) {
    return providerFailure(
      "malformed_response",
      `${call.host} answered ${call.action} with something that is not AWS XML${status ? ` (HTTP ${status})` : ""}.`,
      call.service === "s3"
        ? "Check the endpoint is the S3 API of your storage service (not its web console or a proxy's error page)."
        : "Check the API endpoint is an AWS-compatible STS/EC2 endpoint (not a web page or a proxy's error page).",
      502,
    );
  }

  const temporary = call.temporary ? " (or its session token)" : "";
  switch (true) {
    case name === "InvalidClientTokenId" || name === "InvalidAccessKeyId" || name === "UnrecognizedClientException":
      return providerFailure(
        name,
        `AWS does not recognise this access key${temporary}.`,
        "The access key does not exist — check it was copied whole and is active (IAM → Users → Security credentials).",
        401,
      );
    case name === "AuthFailure":
      return providerFailure(
        name,
        "AWS was not able to validate the access key and secret.",
        "Check the access key exists and is active, and copy the secret access key again; in an opt-in region, enable the region first.",
        401,
      );
    case name === "SignatureDoesNotMatch":
      return providerFailure(
        name,
        "The request signature does not match: the secret does not belong to this access key.",
        call.service === "s3"
          ? "The secret key does not match this access key — copy the secret again; if it is right, check the Region field is the one the server expects."
          : "The secret access key does not match this access key — copy the secret again (it is shown only once; create a new key if it is lost).",
        401,
      );
    case name === "ExpiredToken" || name === "ExpiredTokenException" || name === "TokenRefreshRequired":
      return expiredSessionToken("The session token has expired.");
    // EC2 answers an expired session token with RequestExpired, the code it also uses for a skewed
    // clock. With a temporary key it is the token: a retry cannot succeed, and a role's session must go.
    case name === "RequestExpired" && call.temporary === true:
      return expiredSessionToken(`The session token has expired (${call.action} answered RequestExpired).`);
    case name === "InvalidToken" || name === "IncompleteSignature" || name === "MissingAuthenticationToken":
      return providerFailure(
        name,
        `AWS rejected the request's credentials (${name}).`,
        call.temporary
          ? "Paste the session token again, whole, with the access key and secret it was issued with."
          : "Check the access key and secret were copied whole.",
        401,
      );
    case ACCESS_DENIED.has(name): {
      const action = actionFrom(String(top.message ?? "")) ?? call.action;
      return providerFailure(
        name,
        `The credential works but may not call ${action}.${said}`,
        `Allow ${action} for this identity (${READ_ONLY_POLICY[action.split(":")[0] as AwsCallDescription["service"]] ?? READ_ONLY_POLICY[call.service]}), and check no service control policy denies it.`,
        403,
      );
    }
    case name === "OptInRequired":
      return providerFailure(
        name,
        `This account is not subscribed to the service in this region.${said}`,
        "Enable the region (Account → AWS Regions) or remove it from the provider's regions.",
        403,
      );
    case name === "AuthorizationHeaderMalformed" || name === "PermanentRedirect" || name === "IllegalLocationConstraintException": {
      const expected = top.Region ?? /expecting '([^']+)'/.exec(String(top.message ?? ""))?.[1] ?? null;
      return providerFailure(
        name,
        expected ? `The server expects region ${expected}, not ${call.region}.` : `The server rejected region ${call.region}.${said}`,
        expected ? `Set the Region field to ${expected}.` : "Set the Region field to the region the server is configured with.",
        422,
      );
    }
    case name === "RequestExpired" || name === "RequestTimeTooSkewed":
      return providerFailure(
        name,
        "AWS refused the request's timestamp.",
        "The clock of the Cloudkeep server or of the endpoint is wrong; try again later.",
        502,
        true,
      );
    case THROTTLING.has(name) || status === 429:
      return providerFailure(
        THROTTLING.has(name) ? name : "rate_limited",
        `${call.host} is throttling ${call.action} and still did after ${top.$metadata?.attempts ?? 1} attempts.`,
        "Wait a minute and try again; other tools using this key may be exhausting its request rate.",
        429,
        true,
      );
    default:
      // Not one of the named refusals: judged by its HTTP status below.
      break;
  }
  if (status !== undefined && status >= 500) {
    return providerFailure(
      name && name !== "Error" && !name.startsWith("Unknown") ? name : "upstream_error",
      `${call.host} failed ${call.action} with HTTP ${status}.${said}`,
      "The service had a problem; try again in a few minutes.",
      502,
      true,
    );
  }
  if (
    status !== undefined &&
    (name === "Error" || name.startsWith("Unknown") || name === "NotFound" || name === "NoSuchKey" || status === 404 || status === 405)
  ) {
    return providerFailure(
      "unexpected_response",
      `${call.host} answered ${call.action} with HTTP ${status}, not an AWS answer.`,
      call.service === "s3"
        ? "Check the endpoint is the S3 API URL of your storage service."
        : "Check the API endpoint is an AWS-compatible endpoint.",
      502,
    );
  }
  return {
    code: name && name !== "Error" ? name : "upstream_error",
    message: `${call.action} failed${status ? ` with HTTP ${status}` : ""}.${said}`,
    hint: "Check the credential and the API endpoint, then try again.",
    status: 502,
    retryable: status === undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// Roles Cloudkeep assumes (providers with auth_method assume_role)

/** What a person needs to fix a role: which role, the external ID it must require, and whom it must trust. */
export type RoleFacts = { roleArn: string; externalId: string; principalArn: string | null };

/** Failures of Cloudkeep's own credentials (the environment's), not of the customer's role. */
const OWN_IDENTITY_CODES = new Set([
  "CredentialsProviderError",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "InvalidToken",
  "UnrecognizedClientException",
]);

const trustee = (facts: RoleFacts) => facts.principalArn ?? "Cloudkeep's AWS principal";

/** The trust-policy condition that makes a role refuse anyone without this provider's external ID. */
export function externalIdCondition(externalId: string): string {
  return JSON.stringify({ StringEquals: { "sts:ExternalId": externalId } });
}

/**
 * What a failed sts:AssumeRole by Cloudkeep means. AWS answers AccessDenied alike when the role does
 * not exist, does not trust Cloudkeep, or requires another external ID (so that nobody can probe other
 * accounts' roles): the message says so and the hint checks all three with this provider's values.
 */
export function assumeRoleFailure(failure: ProviderFailure, facts: RoleFacts): ProviderFailure {
  if (ACCESS_DENIED.has(failure.code)) {
    const account = /^arn:aws:iam::(\d{12}):/.exec(facts.roleArn)?.[1] ?? "the role's account";
    return providerFailure(
      "assume_role_denied",
      `AWS did not let Cloudkeep assume ${facts.roleArn}: the role does not exist, does not trust Cloudkeep, or expects another external ID (AWS gives the same answer for all three).`,
      `Check, in account ${account}: (1) role not found — a role with exactly this name and path exists (IAM → Roles); ` +
        `(2) not trusted by Cloudkeep — its trust policy allows ${trustee(facts)} to call sts:AssumeRole; ` +
        `(3) external ID mismatch — its condition requires sts:ExternalId ${facts.externalId}. The CloudFormation template on the provider's page sets up all three.`,
      403,
    );
  }
  if (OWN_IDENTITY_CODES.has(failure.code)) {
    return providerFailure(
      "cloudkeep_identity_unavailable",
      "Cloudkeep's own AWS identity, which assumes customers' roles, is missing or not accepted by AWS.",
      "This is Cloudkeep's configuration, not your role: the operator must give Cloudkeep's server and functions AWS credentials (the standard AWS_* environment or an attached role) and set CLOUDKEEP_AWS_PRINCIPAL_ARN.",
      503,
      true,
    );
  }
  return failure;
}

/** The confused-deputy check found that the role can be assumed without the external ID. */
export function externalIdNotRequired(facts: RoleFacts): ProviderFailure {
  return providerFailure(
    "external_id_not_required",
    `The role's trust policy does not require the external ID: anyone who learns ${facts.roleArn} could make Cloudkeep use it. Cloudkeep will not use the role until it does.`,
    `Add this condition to the statement of the trust policy that allows ${trustee(facts)}: "Condition": ${externalIdCondition(facts.externalId)}`,
    403,
  );
}

/** The role can be assumed but lacks a permission Cloudkeep needs. */
export function missingPermission(action: string, roleArn: string): ProviderFailure {
  return providerFailure(
    "missing_permission",
    `Cloudkeep can assume ${roleArn} but may not call ${action}.`,
    `Allow ${action} in the role's permissions policy (the CloudkeepReadOnly policy of the template lists every action Cloudkeep calls), and check that no service control policy denies it.`,
    403,
  );
}

/** Credentials checked before the provider exists (Test connection) have no external ID yet. */
export function externalIdNotAssigned(): ProviderFailure {
  return providerFailure(
    "external_id_not_assigned",
    "Cloudkeep issues this provider's external ID when it is saved, so the role cannot be tried yet.",
    "Save the provider, create the role with the CloudFormation template or Terraform on its page, then check it.",
    409,
  );
}
