// sts:AssumeRoleWithWebIdentity on the AWS fake, checked the way AWS checks it: the token's issuer
// must be an IAM OIDC identity provider of the role's account (its URL is the issuer without
// https://), AWS fetches the issuer's discovery document and JWKS over the network and verifies the
// ES256 signature, the token's audience must be one of the provider's client IDs, it must not have
// expired, and the role's trust policy must name that provider as its federated principal with
// StringEquals conditions on `<url>:aud` and `<url>:sub`. Refusals use STS's codes and words
// (InvalidIdentityToken, IDPCommunicationError, ExpiredTokenException, AccessDenied). The call is
// unsigned: AWS needs no credentials for it, and neither does this fake.
import { randomUUID } from "node:crypto";
import { assumedRoleXml, mintRoleSession, stsError, STS_NS, xml, type AwsCall, type AwsFake } from "./aws.ts";
import { createOidcVerifier, type OidcVerifier } from "./oidc-verify.ts";

/** An IAM OIDC identity provider in some account: `url` is the issuer without https://. */
export type FakeOidcProvider = { account: string; url: string; clientIds: string[] };

export type AwsWebIdentity = {
  /** The account's IAM OIDC identity providers. */
  providers: FakeOidcProvider[];
  verifier: OidcVerifier;
  /** Every token AWS accepted or refused: claims only, never the token. */
  exchanges: { ok: boolean; sub: unknown; aud: unknown; roleArn: string; refusal?: string }[];
};

const expiredMessage = (exp: number) =>
  `Token expired: current date/time ${Math.floor(Date.now() / 1000)} must be before the expiration date/time ${exp}`;

export function enableAwsWebIdentity(fake: AwsFake, providers: FakeOidcProvider[] = [], verifier = createOidcVerifier()): AwsWebIdentity {
  const state: AwsWebIdentity = { providers, verifier, exchanges: [] };

  fake.webIdentity = async (form: URLSearchParams, call: AwsCall) => {
    const roleArn = form.get("RoleArn") ?? "";
    const token = form.get("WebIdentityToken") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    const duration = Number(form.get("DurationSeconds") ?? "3600");
    call.region = call.region ?? null;
    const refuse = (refusal: string, claims: { sub?: unknown; aud?: unknown } | null, response: ReturnType<typeof stsError>) => {
      state.exchanges.push({ ok: false, sub: claims?.sub, aud: claims?.aud, roleArn, refusal });
      return response;
    };
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return stsError(400, "ValidationError", "Invalid RoleSessionName.");
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      return stsError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    const account = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
    if (!account) return stsError(400, "ValidationError", `${roleArn} is invalid`);
    let issuer: string;
    try {
      issuer = String(JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")).iss ?? "");
    } catch {
      return refuse(
        "malformed",
        null,
        stsError(
          400,
          "InvalidIdentityToken",
          "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        ),
      );
    }
    const url = issuer.replace(/^https?:\/\//, "");
    const provider = state.providers.find((p) => p.account === account && p.url === url);
    if (!provider)
      return refuse(
        "no_provider",
        null,
        stsError(400, "InvalidIdentityToken", `No OpenIDConnect provider found in your account for ${issuer}`),
      );

    const verdict = await state.verifier.verify(token, { issuer, audiences: provider.clientIds });
    if (!verdict.ok) {
      const claims = verdict.claims;
      switch (verdict.refusal) {
        case "issuer_unreachable":
          return refuse(
            verdict.refusal,
            claims,
            stsError(
              400,
              "IDPCommunicationError",
              "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.",
            ),
          );
        case "unknown_key":
          return refuse(
            verdict.refusal,
            claims,
            stsError(
              400,
              "InvalidIdentityToken",
              "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
            ),
          );
        case "audience_mismatch":
          return refuse(verdict.refusal, claims, stsError(400, "InvalidIdentityToken", "Incorrect token audience"));
        case "expired":
          return refuse(verdict.refusal, claims, stsError(400, "ExpiredTokenException", expiredMessage(Number(claims?.exp ?? 0))));
        default:
          return refuse(
            verdict.refusal,
            claims,
            stsError(
              400,
              "InvalidIdentityToken",
              "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.",
            ),
          );
      }
    }
    const claims = verdict.claims;
    const role = fake.roles.find((r) => r.arn === roleArn);
    const trust = role?.webIdentity;
    const allowed =
      trust !== undefined &&
      trust.providerUrl === url &&
      (trust.audience === undefined ||
        claims.aud === trust.audience ||
        (Array.isArray(claims.aud) && claims.aud.includes(trust.audience))) &&
      (trust.subject === undefined || claims.sub === trust.subject);
    if (!role || !allowed)
      return refuse("access_denied", claims, stsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));

    const minted = mintRoleSession(role, sessionName, duration);
    fake.keys.push(minted);
    state.exchanges.push({ ok: true, sub: claims.sub, aud: claims.aud, roleArn });
    return xml(
      `<AssumeRoleWithWebIdentityResponse xmlns="${STS_NS}"><AssumeRoleWithWebIdentityResult><Audience>${String(claims.aud)}</Audience>${assumedRoleXml(minted)}<Provider>arn:aws:iam::${account}:oidc-provider/${url}</Provider><SubjectFromWebIdentityToken>${String(claims.sub)}</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    );
  };
  return state;
}
