// The pieces every part of the API document is built from (./openapi.ts and the routes that document
// themselves): parameters, bodies generated from the zod schemas routes validate with, and error responses.
import { z } from "zod";

// Every status a route may document, each with its description (an OpenAPI response must
// have one): typed, so documenting a status without saying what it means does not compile.
const STATUS_TEXT = {
  400: "Bad request: missing ?org=, a path or query that is not valid percent-encoded UTF-8 or holds a NUL, or a body that is not JSON, not UTF-8, holds a NUL or nests deeper than 32 levels",
  401: "Missing, malformed, invalid or expired access token; or an API token that is revoked or expired",
  403: "Your role does not allow this, the API token lacks a scope (the message names it), or it names another organization",
  404: "Not found, or not visible to you",
  409: "Duplicate: the account or credential is already connected",
  413: "Body larger than 64 KiB",
  415: "The body is not sent as JSON (Content-Type: application/json, UTF-8)",
  422: "Validation failed; details.fields names each field",
  502: "The cloud refused or failed the live call; details.provider_error has its code and hint",
  503: "Not configured by the operator",
  504: "The cloud did not answer in time; details.provider_error has its code and hint",
} as const;

type Status = keyof typeof STATUS_TEXT;

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** Error responses, each saying what the status means for this route. */
export const described = (texts: Partial<Record<Status, string>>) =>
  Object.fromEntries(Object.entries(texts).map(([code, description]) => [code, { description, content: errorContent }]));

/** Error responses with their usual descriptions. */
export const errors = (...codes: Status[]) => described(Object.fromEntries(codes.map((code) => [code, STATUS_TEXT[code]])));

/** Bad input any route that reads a body may answer with. */
export const BODY_ERRORS = [400, 413, 415, 422] as const;

export const orgParam = {
  name: "org",
  in: "query",
  required: false,
  description:
    "The organization's slug. Required with a user's access token; an API token implies its own organization (naming another is 403).",
  schema: { type: "string" },
};
export const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };

/** A request body's JSON Schema, generated from the zod schema its route validates with (what a client sends). */
export function bodySchema(schema: z.ZodType) {
  const { $schema: _dialect, ...body } = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" });
  return body;
}
export const dataOf = (schema: object) => ({ type: "object", properties: { data: schema } });
export const jsonContent = (schema: object, example?: object) => ({ "application/json": { schema, ...(example ? { example } : {}) } });
/** A required JSON request body, its schema generated from the route's zod schema. */
export const requestBody = (schema: z.ZodType, example?: object) => ({ required: true, content: jsonContent(bodySchema(schema), example) });
