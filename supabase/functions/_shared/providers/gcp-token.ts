// A Google access token for a service-account key: the OAuth 2.0 JWT-bearer grant (RFC 7523) sent to
// the KEY'S OWN token_uri. google-auth-library signs the assertion (its GoogleToken), but it always
// posts to https://oauth2.googleapis.com/token and puts that URL in `aud`; so `aud` is overridden
// with the key's token_uri and the library's pluggable transporter sends the exchange there, through
// the outbound policy. Tokens are cached in memory until a minute before they expire.
import { GoogleToken, type Transporter } from "google-auth-library";
import { requestJson, UpstreamError, type FetchLike, type RequestOptions } from "../net/http.ts";
import { TokenCache } from "../net/token-cache.ts";
import type { GcpCredentials } from "../schemas/providers.ts";

/**
 * cloud-platform: the one scope Compute Engine, Kubernetes Engine, Cloud SQL Admin and Cloud Storage all
 * accept (Kubernetes Engine accepts no narrower one). A scope only caps a token; the account's roles
 * (viewer roles, see gcp-resources.ts) are what limit it to reading.
 */
export const GCP_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

type TokenResponse = { access_token?: unknown; expires_in?: unknown; token_type?: unknown };

const cache = new TokenCache<string>();

/** What identifies a token: the whole key (so a different private key never reuses one), the token URI and the scope. */
function cacheIdentity(credentials: GcpCredentials, scope = GCP_SCOPE) {
  return ["gcp", credentials.client_email, credentials.private_key_id, credentials.private_key, credentials.token_uri, scope];
}

export type GcpTokenOptions = { fetch: FetchLike; request: RequestOptions };

/** The access token for `credentials` (cached), or an UpstreamError the adapter maps (invalid_grant, …). */
export function gcpAccessToken(credentials: GcpCredentials, options: GcpTokenOptions, scope = GCP_SCOPE): Promise<string> {
  return cache.get(cacheIdentity(credentials, scope), async () => {
    let exchanged: TokenResponse | undefined;
    const token = new GoogleToken({
      key: credentials.private_key,
      iss: credentials.client_email,
      scope,
      // The assertion's audience must be the endpoint that receives it.
      additionalClaims: { aud: credentials.token_uri },
      transporter: {
        async request(gaxiosOptions: { data?: unknown }) {
          const form = gaxiosOptions.data instanceof URLSearchParams ? gaxiosOptions.data : new URLSearchParams();
          const assertion = form.get("assertion");
          if (!assertion) throw new TypeError("google-auth-library produced no JWT assertion.");
          const response = await requestJson<TokenResponse>(
            options.fetch,
            credentials.token_uri,
            {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
            },
            options.request,
          );
          exchanged = response.body;
          return { data: response.body, status: response.status, headers: {}, config: gaxiosOptions };
        },
      } as unknown as Transporter,
    });
    await token.getToken({ forceRefresh: true });
    const accessToken = exchanged?.access_token;
    const expiresIn = Number(exchanged?.expires_in);
    if (typeof accessToken !== "string" || accessToken === "" || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new UpstreamError({
        code: "malformed_response",
        message: `The token endpoint ${new URL(credentials.token_uri).host} answered without an access_token and expires_in.`,
      });
    }
    return { value: accessToken, expiresAt: Date.now() + expiresIn * 1000 };
  });
}

/** Forgets the cached token (Compute answered 401: revoked before it expired). */
export function forgetGcpAccessToken(credentials: GcpCredentials, scope = GCP_SCOPE): Promise<void> {
  return cache.invalidate(cacheIdentity(credentials, scope));
}
