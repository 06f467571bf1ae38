// Azure with no secret: the federated credential shape (no client secret accepted), what is stored in
// the clear, the form's variants, the setup values and commands built from the non-secret columns,
// and the failures each Entra refusal becomes.
import { describe, expect, it } from "vitest";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import { AZURE_FEDERATION_AUDIENCE, federationSubject } from "../../supabase/functions/_shared/federation/issuer.ts";
import { azureFederationSetup } from "../../supabase/functions/_shared/federation/setup-azure.ts";
import { federationFailure, federationUnavailable } from "../../supabase/functions/_shared/providers/azure-errors.ts";
import {
  CREDENTIAL_VARIANTS,
  credentialIdentity,
  describeCredential,
  fieldErrors,
  parseCredentials,
  parseProviderInput,
  SECRET_FIELDS,
  type AzureFederatedCredentials,
} from "../../supabase/functions/_shared/schemas/providers.ts";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const SUBSCRIPTION = "99999999-8888-4777-8666-555555555555";
const FEDERATED = { auth_method: "federated", tenant_id: TENANT, client_id: CLIENT, subscription_id: SUBSCRIPTION };
const SECRET = "Abc8Q~fakeFAKEfakeFAKEfakeFAKEfakeFAKE12";
const ISSUER = "https://cloudkeep.example.com/functions/v1/oidc";
const ORG = "0f0e0d0c-0b0a-4909-8807-060504030201";
const PROVIDER_ID = "12345678-9abc-4def-8123-456789abcdef";

function errors(credentials: unknown) {
  const result = parseCredentials("azure", credentials);
  if (result.success) throw new Error("expected validation to fail");
  return fieldErrors(result.error);
}

describe("federated azure credentials", () => {
  it("accepts tenant, client and subscription with auth_method federated, canonically and with no secret", () => {
    expect(parseCredentials("azure", { ...FEDERATED, tenant_id: TENANT.toUpperCase(), subscription_name: " Prod " }).data).toEqual({
      ...FEDERATED,
      subscription_name: "Prod",
    });
    expect(
      parseCredentials("azure", { authMethod: "Federated", tenant: TENANT, appId: CLIENT, subscriptionId: SUBSCRIPTION }).data,
    ).toEqual(FEDERATED);
    const body = parseProviderInput({
      name: "Azure",
      provider_type: "azure",
      auth_method: "federated",
      credentials: { tenant_id: TENANT, client_id: CLIENT, subscription_id: SUBSCRIPTION },
    });
    expect(body.success && body.data.credentials).toEqual(FEDERATED);
  });

  it("refuses a client secret (under any of its names) or its expiry sent with federated, naming the field", () => {
    expect(errors({ ...FEDERATED, client_secret: SECRET })).toEqual({
      "credentials.client_secret": [
        "A federated connection has no client secret: remove it (Cloudkeep's token replaces it), or choose auth_method client_secret.",
      ],
    });
    expect(Object.keys(errors({ ...FEDERATED, password: SECRET }))).toEqual(["credentials.client_secret"]);
    expect(Object.keys(errors({ ...FEDERATED, client_secret_expires_at: "2027-01-01" }))).toEqual(["credentials.client_secret_expires_at"]);
    // A blank secret field, as a form sends it, is no secret.
    expect(parseCredentials("azure", { ...FEDERATED, client_secret: "" }).data).toEqual(FEDERATED);
  });

  it("names each missing or malformed field, and an unknown method", () => {
    expect(errors({ auth_method: "federated", client_id: "nope", subscription_id: SUBSCRIPTION })).toEqual({
      "credentials.tenant_id": ["Directory (tenant) ID is required."],
      "credentials.client_id": ["Application (client) ID must be a GUID like 11111111-2222-3333-4444-555555555555."],
    });
    expect(errors({ ...FEDERATED, auth_method: "certificate" })).toEqual({
      "credentials.auth_method": ["Authentication method must be federated or client_secret."],
    });
  });

  it("keeps the client-secret shape working, with auth_method absent or client_secret", () => {
    const secret = { tenant_id: TENANT, client_id: CLIENT, client_secret: SECRET, subscription_id: SUBSCRIPTION };
    expect(parseCredentials("azure", secret).data).toEqual(secret);
    expect(parseCredentials("azure", { ...secret, auth_method: "client_secret" }).data).toEqual(secret);
    expect(errors({ tenant_id: TENANT, client_id: CLIENT, subscription_id: SUBSCRIPTION })).toEqual({
      "credentials.client_secret": ["Client secret is required."],
    });
  });

  it("stores the app and tenant in the hint, the subscription as the account, and the same identity as a secret would", () => {
    const canonical = parseCredentials("azure", FEDERATED).data!;
    expect(describeCredential("azure", canonical)).toEqual({
      authMethod: "federated",
      accountIdentifier: SUBSCRIPTION,
      credentialHint: `app ${CLIENT} in tenant ${TENANT}`,
      expiresAt: null,
    });
    expect(credentialIdentity("azure", canonical)).toEqual({ tenant_id: TENANT, client_id: CLIENT, subscription_id: SUBSCRIPTION });
  });

  it("offers no secret first in the form, its fields holding nothing secret", () => {
    const variants = CREDENTIAL_VARIANTS.azure!;
    expect(variants.map((variant) => [variant.value, variant.label])).toEqual([
      ["federated", "No secret (federation)"],
      ["client_secret", "Client secret"],
    ]);
    expect(variants[0]!.fields.map((field) => field.name)).toEqual(["tenant_id", "client_id", "subscription_id", "subscription_name"]);
    expect(variants[0]!.fields.every((field) => !field.secret && !SECRET_FIELDS.azure.includes(field.name))).toBe(true);
    expect(SECRET_FIELDS.azure).toEqual(["client_secret"]);
  });
});

describe("azure federation setup values", () => {
  const provider = {
    id: PROVIDER_ID,
    organization_id: ORG,
    provider_type: "azure",
    auth_method: "federated",
    credential_hint: describeCredential("azure", FEDERATED as AzureFederatedCredentials).credentialHint,
    account_identifier: SUBSCRIPTION,
  };
  const subject = federationSubject(ORG, PROVIDER_ID);

  it("names the issuer, this provider's subject, Azure's audience and the app", () => {
    expect(azureFederationSetup(provider, ISSUER)).toMatchObject({
      cloud: "azure",
      issuer: ISSUER,
      subject,
      audience: "api://AzureADTokenExchange",
      principal: CLIENT,
    });
  });

  it("generates the az commands: the federated credential on the app, then Reader on the subscription", () => {
    const { commands } = azureFederationSetup(provider, ISSUER)!;
    expect(commands.split("\n\n")).toEqual([
      `az ad app federated-credential create --id ${CLIENT} --parameters '{"name":"cloudkeep-456789abcdef","issuer":"${ISSUER}","subject":"${subject}","audiences":["api://AzureADTokenExchange"]}'`,
      `az role assignment create --assignee ${CLIENT} --role Reader --scope /subscriptions/${SUBSCRIPTION}`,
    ]);
    const [json] = captures(/--parameters '(.*)'$/.exec(commands.split("\n\n")[0]!)!, 1);
    const parameters = JSON.parse(json);
    expect(parameters).toEqual({ name: "cloudkeep-456789abcdef", issuer: ISSUER, subject, audiences: [AZURE_FEDERATION_AUDIENCE] });
  });

  it("generates Terraform for the federated identity credential and the role assignment", () => {
    const { terraform } = azureFederationSetup(provider, ISSUER)!;
    expect(terraform).toContain('resource "azuread_application_federated_identity_credential" "cloudkeep"');
    expect(terraform).toContain(`tenant_id = "${TENANT}"`);
    expect(terraform).toContain(`client_id = "${CLIENT}"`);
    expect(terraform).toContain(`issuer         = "${ISSUER}"`);
    expect(terraform).toContain(`subject        = "${subject}"`);
    expect(terraform).toContain('audiences      = ["api://AzureADTokenExchange"]');
    expect(terraform).toContain('resource "azurerm_role_assignment" "cloudkeep_reader"');
    expect(terraform).toContain(`scope                = "/subscriptions/${SUBSCRIPTION}"`);
    expect(terraform).toContain('role_definition_name = "Reader"');
  });

  it("has nothing to show for a client-secret provider, another cloud, or a hint it cannot read", () => {
    expect(azureFederationSetup({ ...provider, auth_method: "client_secret", credential_hint: "aaaaaaaa…" }, ISSUER)).toBeNull();
    expect(azureFederationSetup({ ...provider, provider_type: "gcp" }, ISSUER)).toBeNull();
    expect(azureFederationSetup({ ...provider, credential_hint: "aaaaaaaa…" }, ISSUER)).toBeNull();
  });
});

describe("entra refusals of cloudkeep's token", () => {
  const federation = { issuer: ISSUER, subject: federationSubject(ORG, PROVIDER_ID), audience: AZURE_FEDERATION_AUDIENCE };
  const credentials = FEDERATED as AzureFederatedCredentials;

  it.each([
    ["50166", "federation_issuer_unreachable", `${ISSUER}/.well-known/openid-configuration`],
    ["700211", "federation_issuer_mismatch", `with issuer ${ISSUER} exactly`],
    ["700212", "federation_audience_mismatch", 'audiences must be exactly ["api://AzureADTokenExchange"]'],
    ["700213", "federation_subject_mismatch", `subject must be exactly ${federation.subject}`],
    ["7002138", "federation_subject_mismatch", "(case-sensitive)"],
    ["70021", "federation_no_matching_credential", `subject ${federation.subject} and audience api://AzureADTokenExchange`],
    ["700024", "federation_token_expired", "clock"],
    ["7000272", "federation_key_not_published", `${ISSUER}/.well-known/jwks.json`],
    ["50013", "federation_signature_invalid", `${ISSUER}/.well-known/jwks.json`],
  ])("maps AADSTS%s to %s with a hint naming the exact values", (code, expected, hint) => {
    const failure = federationFailure(code, credentials, federation)!;
    expect(failure.code).toBe(expected);
    expect(failure.message).toContain(`AADSTS${code}`);
    expect(failure.hint).toContain(hint);
  });

  it("leaves codes that are not about federation to the general mapping", () => {
    expect(federationFailure("700016", credentials, federation)).toBeNull();
    expect(federationFailure(null, credentials, federation)).toBeNull();
  });

  it("tells a person to save the provider first when there is no subject yet", () => {
    expect(federationUnavailable()).toMatchObject({ code: "federation_unavailable", status: 422 });
    expect(federationUnavailable().hint).toMatch(/^Save the provider first; Cloudkeep issues its token for a saved provider/);
  });
});
