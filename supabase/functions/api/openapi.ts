// The API contract, served at GET /api/openapi.json. Kept next to the routes it describes; the
// scopes an API token needs per route come from the table the router enforces (./scopes.ts).
import { PROVIDER_STATUS_VALUES } from "../_shared/database.types.ts";
import { ENVIRONMENTS, PROVIDER_TYPES } from "../_shared/schemas/providers.ts";
import { API_TOKEN_SCOPE_DESCRIPTIONS, API_TOKEN_SCOPES, apiTokenCreateSchema } from "../_shared/schemas/tokens.ts";
import { awsOpenApiPaths } from "./routes/aws.ts";
import { organizationOpenApiPaths } from "./routes/organizations.ts";
import { healthQuery, providerDeleteQuery, providerListQuery, providerResourcesQuery } from "./routes/providers.ts";
import { inventoryOpenApiSchemas, resourcesOpenApiPaths } from "./routes/resources.ts";
import { BODY_ERRORS, bodySchema, dataOf, errors, idParam, jsonContent, orgParam } from "./openapi-parts.ts";
import { ROUTE_SCOPES } from "./scopes.ts";

const error = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", examples: ["validation_failed"] },
        message: { type: "string" },
        details: {
          type: "object",
          properties: { fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } },
        },
      },
    },
  },
};

const userOrgParam = { ...orgParam, required: true, description: "The organization's slug." };

// Request body examples: shown in the document and in its curl lines alike.
const EXAMPLES = {
  createProvider: { name: "Production AWS", provider_type: "aws", credentials: { access_key: "AKIA…", secret_key: "…" } },
  testProvider: { provider_type: "digitalocean", name: "probe", credentials: { access_key: "dop_v1_…" } },
  patchProvider: { suspended: true },
  createToken: { name: "deploy-bot", scopes: ["providers:read", "health:run"], expires_in_days: 90 },
};

/**
 * Who may call a route: security requirements, the scopes an API token needs (also as
 * `x-api-token-scopes`), and a curl example, all added to the operation's description.
 */
function operation(route: string, curl: string | null, spec: { description?: string } & Record<string, unknown>) {
  const rule = ROUTE_SCOPES[route];
  const code = (scope: string) => `\`${scope}\``;
  const access = rule
    ? `**API token scope:** ${rule.scopes.map(code).join(" + ")}` +
      (rule.when ? `; with \`${rule.when.param}=${rule.when.value}\` also ${rule.when.scopes.map(code).join(" + ")}.` : ".")
    : "**User access token only:** API tokens cannot call this route.";
  // Any route answers 400 to a path or query string that is not valid percent-encoded UTF-8.
  const responses = spec.responses as Record<string, unknown>;
  return {
    ...spec,
    responses: "400" in responses ? responses : { ...responses, ...errors(400) },
    description: [spec.description, access, curl && "```sh\n" + curl + "\n```"].filter(Boolean).join("\n\n"),
    security: rule ? [{ userToken: [] }, { apiToken: [...rule.scopes, ...(rule.when?.scopes ?? [])] }] : [{ userToken: [] }],
    "x-api-token-scopes": rule
      ? { required: rule.scopes, ...(rule.when ? { [`when ${rule.when.param}=${rule.when.value}`]: rule.when.scopes } : {}) }
      : null,
  };
}

type Operations = Record<string, Record<string, { description?: string } & Record<string, unknown>>>;

/** Adds who may call them to operations documented next to their routes (e.g. routes/aws.ts). */
function withAccess(paths: Operations): Operations {
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, spec]) => [
          method,
          operation(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`, null, spec),
        ]),
      ),
    ]),
  );
}

export function openApiDocument(url: URL) {
  const server = `${url.origin}${url.pathname.replace(/\/openapi\.json$/, "")}`;
  const auth = `-H "Authorization: Bearer $CLOUDKEEP_TOKEN"`;
  const jsonBody = (body: object) => `-H "Content-Type: application/json" -d '${JSON.stringify(body)}'`;
  return {
    openapi: "3.1.0",
    info: {
      title: "Cloudkeep API",
      version: "1.0.0",
      description: [
        "Cloud providers per organization, with credentials kept encrypted. " +
          "Responses never contain a secret: providers carry `credential_hint` and `credential_fingerprint` instead.",
        "**Authentication** — `Authorization: Bearer <token>` with either kind of token:\n" +
          "- a **Supabase access token** of a signed-in person: acts with that person's role; name the organization with `?org=<slug>`;\n" +
          "- an **organization API token** (`ck_…`, made by an admin under *API tokens* in the portal or with `POST /tokens`): " +
          "acts only in its own organization (so `?org=` may be left out), only within its scopes, and never with more rights than its creator has now. " +
          "A route outside its scopes answers 403 naming the missing scope; a revoked or expired token answers 401.",
        "**Scopes** — " + API_TOKEN_SCOPES.map((scope) => `\`${scope}\`: ${API_TOKEN_SCOPE_DESCRIPTIONS[scope]}`).join(" "),
        "```sh\nexport CLOUDKEEP_API=" +
          server +
          '\nexport CLOUDKEEP_TOKEN=ck_…   # shown once when the token is made\ncurl -H "Authorization: Bearer $CLOUDKEEP_TOKEN" "$CLOUDKEEP_API/providers"\n```',
      ].join("\n\n"),
    },
    servers: [{ url: server }],
    security: [{ userToken: [] }, { apiToken: [] }],
    paths: {
      "/health": {
        get: {
          summary: "Liveness: the function answers",
          security: [],
          responses: { "200": { description: '{"status": "ok", "service": "cloudkeep-api"}' } },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document",
          security: [],
          responses: { "200": { description: "The OpenAPI 3.1 document of the API" } },
        },
      },
      ...withAccess(awsOpenApiPaths),
      ...withAccess(organizationOpenApiPaths),
      ...withAccess(resourcesOpenApiPaths),
      "/providers": {
        get: operation("GET /providers", `curl ${auth} "${server}/providers?status=failed"`, {
          summary: "List providers",
          parameters: [orgParam, ...providerListQuery.parameters],
          responses: {
            "200": { description: "A page of providers", content: jsonContent({ $ref: "#/components/schemas/ProviderPage" }) },
            ...errors(400, 401, 403, 404, 422),
          },
        }),
        post: operation("POST /providers", `curl ${auth} ${jsonBody(EXAMPLES.createProvider)} "${server}/providers"`, {
          summary: "Connect a provider: validate, encrypt, store",
          parameters: [orgParam],
          requestBody: { required: true, content: jsonContent({ $ref: "#/components/schemas/ProviderCreate" }, EXAMPLES.createProvider) },
          responses: {
            "201": { description: "Created", content: jsonContent(dataOf({ $ref: "#/components/schemas/Provider" })) },
            ...errors(401, 403, 404, 409, ...BODY_ERRORS),
          },
        }),
      },
      "/providers/test": {
        post: operation("POST /providers/test", `curl ${auth} ${jsonBody(EXAMPLES.testProvider)} "${server}/providers/test"`, {
          summary: "Check unsaved credentials against the cloud; nothing is stored",
          parameters: [orgParam],
          requestBody: { required: true, content: jsonContent({ $ref: "#/components/schemas/ProviderCreate" }, EXAMPLES.testProvider) },
          responses: {
            "200": { description: "The cloud's answer: ok, latency, identity or error with a hint" },
            ...errors(401, 403, 404, ...BODY_ERRORS),
          },
        }),
      },
      "/providers/{id}": {
        get: operation("GET /providers/:id", `curl ${auth} "${server}/providers/$PROVIDER_ID"`, {
          summary: "Read a provider",
          parameters: [idParam],
          responses: {
            "200": { description: "The provider", content: jsonContent(dataOf({ $ref: "#/components/schemas/Provider" })) },
            ...errors(401, 403, 404),
          },
        }),
        patch: operation(
          "PATCH /providers/:id",
          `curl -X PATCH ${auth} ${jsonBody(EXAMPLES.patchProvider)} "${server}/providers/$PROVIDER_ID"`,
          {
            summary: "Update metadata, rotate credentials, or suspend/resume — one kind of change per request",
            parameters: [idParam],
            requestBody: {
              required: true,
              content: jsonContent(
                {
                  oneOf: [
                    {
                      type: "object",
                      properties: {
                        name: { type: "string" },
                        environment: { enum: ENVIRONMENTS },
                        regions: { type: "array", items: { type: "string" } },
                      },
                    },
                    {
                      type: "object",
                      required: ["credentials"],
                      description:
                        "New credentials; a new api_endpoint is accepted only here, so the stored secret never goes to an address it was not entered for.",
                      properties: {
                        credentials: {
                          type: "object",
                          description: "As in ProviderCreate, auth_method included (e.g. switch a gcp provider to workload_identity).",
                        },
                        api_endpoint: { type: ["string", "null"] },
                      },
                    },
                    {
                      type: "object",
                      required: ["read_only_credentials"],
                      description: "A read-only credential that checks and listings use instead, or null to remove it.",
                      properties: { read_only_credentials: { type: ["object", "null"] } },
                    },
                    { type: "object", required: ["suspended"], properties: { suspended: { type: "boolean" } } },
                  ],
                },
                EXAMPLES.patchProvider,
              ),
            },
            responses: { "200": { description: "The updated provider" }, ...errors(401, 403, 404, 409, ...BODY_ERRORS) },
          },
        ),
        delete: operation("DELETE /providers/:id", `curl -X DELETE ${auth} "${server}/providers/$PROVIDER_ID"`, {
          summary: "Delete a provider and its ciphertext",
          parameters: [idParam, ...providerDeleteQuery.parameters],
          responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404, 422) },
        }),
      },
      "/providers/{id}/health": {
        post: operation("POST /providers/:id/health", `curl -X POST ${auth} "${server}/providers/$PROVIDER_ID/health"`, {
          summary: "Check the provider's credentials now and record the result",
          parameters: [idParam],
          responses: {
            "201": { description: "The recorded check (ok, latency_ms, identity or error_code, error_message, error_hint)" },
            ...errors(401, 403, 404, 409),
          },
        }),
        get: operation("GET /providers/:id/health", `curl ${auth} "${server}/providers/$PROVIDER_ID/health?limit=10"`, {
          summary: "Health check history, newest first",
          parameters: [idParam, ...healthQuery.parameters],
          responses: { "200": { description: "Recorded checks" }, ...errors(401, 403, 404, 422) },
        }),
      },
      "/providers/{id}/resources": {
        get: operation("GET /providers/:id/resources", `curl ${auth} "${server}/providers/$PROVIDER_ID/resources?type=instance&limit=50"`, {
          summary: "Resources behind the provider: the stored inventory, or listed live first with refresh=true",
          parameters: [idParam, ...providerResourcesQuery.parameters],
          responses: {
            "200": { description: "A page of resources with next_cursor, refreshed_at and partial_failures" },
            ...errors(401, 403, 404, 409, 422, 502, 504),
          },
        }),
      },
      "/tokens": {
        get: operation("GET /tokens", `curl -H "Authorization: Bearer $USER_ACCESS_TOKEN" "${server}/tokens?org=acme"`, {
          summary: "List the organization's API tokens (admins and owners); never the token or its hash",
          parameters: [userOrgParam],
          responses: {
            "200": {
              description: "Tokens",
              content: jsonContent(dataOf({ type: "array", items: { $ref: "#/components/schemas/ApiToken" } })),
            },
            ...errors(400, 401, 403, 404),
          },
        }),
        post: operation(
          "POST /tokens",
          `curl -H "Authorization: Bearer $USER_ACCESS_TOKEN" ${jsonBody(EXAMPLES.createToken)} "${server}/tokens?org=acme"`,
          {
            summary: "Make an API token (admins and owners). The response is the only time the token is shown.",
            parameters: [userOrgParam],
            requestBody: { required: true, content: jsonContent({ $ref: "#/components/schemas/ApiTokenCreate" }, EXAMPLES.createToken) },
            responses: {
              "201": {
                description: "Created; data.token is the secret",
                content: jsonContent(dataOf({ $ref: "#/components/schemas/ApiTokenCreated" })),
              },
              ...errors(401, 403, 404, ...BODY_ERRORS),
            },
          },
        ),
      },
      "/tokens/{id}": {
        delete: operation(
          "DELETE /tokens/:id",
          `curl -X DELETE -H "Authorization: Bearer $USER_ACCESS_TOKEN" "${server}/tokens/$TOKEN_ID"`,
          {
            summary: "Revoke an API token at once (admins and owners); revoking twice is not an error",
            parameters: [idParam],
            responses: { "204": { description: "Revoked" }, ...errors(401, 403, 404) },
          },
        ),
      },
    },
    components: {
      securitySchemes: {
        userToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Supabase Auth access token of a signed-in person.",
        },
        apiToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "ck_ + 43 base62 characters",
          description: `An organization API token. The scopes listed per operation are those the token must have: ${API_TOKEN_SCOPES.join(", ")}.`,
        },
      },
      schemas: {
        ApiToken: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            organization_id: { type: "string", format: "uuid" },
            name: { type: "string" },
            scopes: { type: "array", items: { enum: API_TOKEN_SCOPES } },
            token_prefix: {
              type: "string",
              examples: ["ck_4fT9xQ2a"],
              description: "The first characters, to recognise the token; not enough to use it.",
            },
            expires_at: { type: ["string", "null"], format: "date-time" },
            last_used_at: { type: ["string", "null"], format: "date-time" },
            revoked_at: { type: ["string", "null"], format: "date-time" },
            created_by: { type: ["string", "null"], format: "uuid" },
            created_by_email: { type: ["string", "null"] },
            created_at: { type: "string", format: "date-time" },
            status: { enum: ["active", "expired", "revoked"] },
          },
        },
        ApiTokenCreated: {
          allOf: [
            { $ref: "#/components/schemas/ApiToken" },
            { type: "object", required: ["token"], properties: { token: { type: "string", examples: ["ck_…"] } } },
          ],
        },
        // Generated from the schema POST /tokens validates with.
        ApiTokenCreate: bodySchema(apiTokenCreateSchema),
        Error: error,
        ...inventoryOpenApiSchemas,
        Provider: {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            organization_id: { type: "string", format: "uuid" },
            name: { type: "string" },
            provider_type: { enum: PROVIDER_TYPES },
            api_endpoint: { type: ["string", "null"] },
            auth_method: { type: "string" },
            credential_hint: { type: ["string", "null"], examples: ["AKIA…MPLE"] },
            credential_fingerprint: { type: "string" },
            account_identifier: { type: ["string", "null"] },
            environment: { enum: ENVIRONMENTS },
            regions: { type: "array", items: { type: "string" } },
            status: { enum: PROVIDER_STATUS_VALUES },
            last_checked_at: { type: ["string", "null"], format: "date-time" },
            last_error_code: { type: ["string", "null"] },
            last_error_message: { type: ["string", "null"] },
            credentials_rotated_at: { type: ["string", "null"], format: "date-time" },
            credentials_expires_at: { type: ["string", "null"], format: "date-time" },
            created_at: { type: "string", format: "date-time" },
            updated_at: { type: "string", format: "date-time" },
          },
        },
        ProviderPage: {
          type: "object",
          properties: {
            data: { type: "array", items: { $ref: "#/components/schemas/Provider" } },
            page: { type: "integer" },
            page_size: { type: "integer" },
            total: { type: "integer" },
          },
        },
        ProviderCreate: {
          type: "object",
          required: ["name", "provider_type", "credentials"],
          properties: {
            name: { type: "string", maxLength: 80 },
            provider_type: { enum: PROVIDER_TYPES },
            api_endpoint: { type: ["string", "null"], description: "Required for openstack (Keystone v3 URL) and s3_compatible." },
            environment: { enum: ENVIRONMENTS, default: "production" },
            regions: { type: "array", items: { type: "string" } },
            credentials: {
              type: "object",
              description:
                "Per provider_type: aws {access_key, secret_key, session_token?, region?}; azure {tenant_id, client_id, client_secret, subscription_id, subscription_name?}; " +
                "gcp: the service-account key JSON; digitalocean/linode/vultr {access_key}; openstack {username, password, project, domain} or " +
                "{application_credential_id, application_credential_secret}, region?; s3_compatible {access_key, secret_key, region?, force_path_style?}. " +
                "With no stored secret (auth_method, in the credentials or beside them): gcp workload_identity — the external_account JSON that " +
                "`gcloud iam workload-identity-pools create-cred-config` writes, with project_id added (or {credential_config, project_id}); token_url and " +
                "service_account_impersonation_url must be Google's (sts.googleapis.com, iamcredentials.googleapis.com) or share the api_endpoint's origin. " +
                "azure federated — {tenant_id, client_id, subscription_id, subscription_name?}: no client_secret; the app registration holds a federated " +
                "credential for Cloudkeep's issuer, this provider's subject and audience api://AzureADTokenExchange. " +
                "aws web_identity — {role_arn, read_only_role_arn?, region?}: the role's trust policy names an IAM OIDC provider for Cloudkeep's issuer " +
                "and pins <issuer host/path>:aud = sts.amazonaws.com and :sub; aws assume_role — {role_arn, read_only_role_arn?, region?} with the external ID Cloudkeep issues. " +
                "Cloudkeep's OIDC issuer then vouches for the subject org:<organization id>:provider:<provider id>; GET /providers/{id} returns the id.",
            },
            auth_method: {
              enum: ["access_key", "assume_role", "web_identity", "client_secret", "federated", "service_account_key", "workload_identity"],
              description:
                "How the provider authenticates, when its kind offers several (aws: access_key, assume_role, web_identity; azure: client_secret, federated; gcp: service_account_key, workload_identity); may also travel inside credentials.",
            },
          },
        },
      },
    },
  };
}
