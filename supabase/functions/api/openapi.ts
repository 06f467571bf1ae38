// The API contract, served at GET /api/openapi.json. Kept next to the routes it describes.
import { ENVIRONMENTS, PROVIDER_TYPES } from "../_shared/schemas/providers.ts";

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
        details: { type: "object", properties: { fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } } },
      },
    },
  },
};

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: STATUS_TEXT[code], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]));

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request (missing ?org=, body is not JSON)",
  401: "Missing, invalid or expired access token",
  403: "Your role does not allow this",
  404: "Not found, or not visible to you",
  409: "Duplicate: the account or credential is already connected",
  413: "Body larger than 64 KiB",
  422: "Validation failed; details.fields names each field",
};

const orgParam = { name: "org", in: "query", required: true, description: "The organization's slug.", schema: { type: "string" } };
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };

export function openApiDocument(url: URL) {
  const server = `${url.origin}${url.pathname.replace(/\/openapi\.json$/, "")}`;
  return {
    openapi: "3.1.0",
    info: {
      title: "Cloudkeep API",
      version: "1.0.0",
      description:
        "Cloud providers per organization, with credentials kept encrypted. Authenticate with `Authorization: Bearer <Supabase access token>`. " +
        "Responses never contain a secret: providers carry `credential_hint` and `credential_fingerprint` instead.",
    },
    servers: [{ url: server }],
    security: [{ bearer: [] }],
    paths: {
      "/providers": {
        get: {
          summary: "List providers",
          parameters: [
            orgParam,
            { name: "q", in: "query", schema: { type: "string" }, description: "Search name, account and hint." },
            { name: "provider_type", in: "query", schema: { enum: PROVIDER_TYPES } },
            { name: "status", in: "query", schema: { enum: ["pending", "healthy", "failed", "suspended"] } },
            { name: "environment", in: "query", schema: { enum: ENVIRONMENTS } },
            { name: "page", in: "query", schema: { type: "integer", minimum: 1 } },
          ],
          responses: {
            "200": { description: "A page of providers", content: { "application/json": { schema: { $ref: "#/components/schemas/ProviderPage" } } } },
            ...errors(400, 401, 404, 422),
          },
        },
        post: {
          summary: "Connect a provider: validate, encrypt, store",
          parameters: [orgParam],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/ProviderCreate" } } } },
          responses: {
            "201": { description: "Created", content: { "application/json": { schema: { type: "object", properties: { data: { $ref: "#/components/schemas/Provider" } } } } } },
            ...errors(400, 401, 403, 404, 409, 413, 422),
          },
        },
      },
      "/providers/{id}": {
        get: {
          summary: "Read a provider",
          parameters: [idParam],
          responses: { "200": { description: "The provider", content: { "application/json": { schema: { type: "object", properties: { data: { $ref: "#/components/schemas/Provider" } } } } } }, ...errors(401, 404) },
        },
        patch: {
          summary: "Update metadata, rotate credentials, or suspend/resume — one kind of change per request",
          parameters: [idParam],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    { type: "object", properties: { name: { type: "string" }, environment: { enum: ENVIRONMENTS }, regions: { type: "array", items: { type: "string" } } } },
                    {
                      type: "object",
                      required: ["credentials"],
                      description: "New credentials; a new api_endpoint is accepted only here, so the stored secret never goes to an address it was not entered for.",
                      properties: { credentials: { type: "object" }, api_endpoint: { type: ["string", "null"] } },
                    },
                    { type: "object", required: ["suspended"], properties: { suspended: { type: "boolean" } } },
                    {
                      type: "object",
                      required: ["read_only_credentials"],
                      description: "A read-only credential (same fields as credentials) that checks and listings use instead; null removes it.",
                      properties: { read_only_credentials: { type: ["object", "null"] } },
                    },
                  ],
                },
              },
            },
          },
          responses: { "200": { description: "The updated provider" }, ...errors(400, 401, 403, 404, 409, 413, 422) },
        },
        delete: { summary: "Delete a provider and its ciphertext", parameters: [idParam], responses: { "204": { description: "Deleted" }, ...errors(401, 403, 404) } },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Supabase Auth access token." } },
      schemas: {
        Error: error,
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
            status: { enum: ["pending", "healthy", "failed", "suspended"] },
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
          properties: { data: { type: "array", items: { $ref: "#/components/schemas/Provider" } }, page: { type: "integer" }, page_size: { type: "integer" }, total: { type: "integer" } },
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
                "{application_credential_id, application_credential_secret}, region?; s3_compatible {access_key, secret_key, region?, force_path_style?}.",
            },
          },
        },
      },
    },
  };
}
