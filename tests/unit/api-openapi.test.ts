// The API's OpenAPI document: valid by an independent validator (the official OpenAPI 3.1
// JSON schema, through @seriousme/openapi-schema-validator), and in step with the router:
// every route it handles is documented, and nothing documented is missing from it.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import { createRouter, PUBLIC_ROUTES } from "../../supabase/functions/api/handler.ts";
import { openApiDocument } from "../../supabase/functions/api/openapi.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// As served: through JSON, so only what a client would read is validated.
const doc = JSON.parse(JSON.stringify(openApiDocument(new URL("https://project.supabase.co/functions/v1/api/openapi.json"))));

/** "/providers/{id}" → "/providers/:id", the router's spelling. */
const routerPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("gives every response a description, the fault that made it invalid before", () => {
    for (const [path, operations] of Object.entries<Record<string, { responses: Record<string, { description?: string }> }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description, `${method.toUpperCase()} ${path} ${status}`).toEqual(expect.any(String));
        }
      }
    }
    expect(doc.paths["/providers/{id}/resources"].get.responses["502"].description).toMatch(/cloud/);
    expect(doc.paths["/providers/{id}/resources"].get.responses["504"].description).toMatch(/in time/);
  });

  it("documents exactly the routes the router and the public routes handle", () => {
    const documented = Object.entries<Record<string, unknown>>(doc.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((key) => METHODS.includes(key))
          .map((method) => `${method.toUpperCase()} ${routerPath(path)}`),
      )
      .sort();
    const handled = [
      ...createRouter()
        .list()
        .map(({ method, path }) => `${method} ${path}`),
      ...Object.keys(PUBLIC_ROUTES),
    ].sort();
    expect(documented).toEqual(handled);
  });

  it("resolves every $ref it makes", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((match) => captures(match, 1)[0]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = ref.split("/").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
  });
});

describe("what the document generates from the route's own schemas", () => {
  it("describes the token body exactly as POST /tokens validates it", async () => {
    // ajv here speaks draft-07; the generated schema uses nothing newer.
    const { default: Ajv } = await import("ajv");
    const { apiTokenCreateSchema } = await import("../../supabase/functions/_shared/schemas/tokens.ts");
    const validate = new Ajv().compile(doc.components.schemas.ApiTokenCreate);
    const bodies = [
      { name: "deploy-bot", scopes: ["providers:read"] },
      { name: "deploy-bot", scopes: ["providers:read"], expires_in_days: 90 },
      { name: "", scopes: ["providers:read"] },
      { name: "deploy-bot", scopes: [] },
      { name: "deploy-bot", scopes: ["everything"] },
      { name: "deploy-bot", scopes: ["providers:read"], extra: true },
      { name: "deploy-bot", scopes: ["providers:read"], expires_in_days: 0 },
    ];
    for (const body of bodies) expect(validate(body), JSON.stringify(body)).toBe(apiTokenCreateSchema.safeParse(body).success);
  });

  it("describes each cloud's organization scope exactly as the domain checks it", async () => {
    const { default: Ajv } = await import("ajv");
    const { parseOrganizationScope } = await import("../../supabase/functions/_shared/domain/organization-scope.ts");
    const body = doc.paths["/providers/{id}/organization-scope"].put.requestBody.content["application/json"].schema;
    const [scopes, none] = body.properties.organization_scope.anyOf;
    expect(none).toEqual({ type: "null" });
    const samples = {
      aws: [{ member_role_name: "CloudkeepReadOnly" }, { member_role_name: "has space" }, { member_role_name: "" }, {}],
      azure: [{ management_group_id: "mg-prod_1" }, { management_group_id: "has spaces" }, { management_group_id: null }, {}],
      gcp: [{ parent: "organizations/123456789012" }, { parent: "folders/42" }, { parent: "projects/my-project" }, {}],
    } as const;
    for (const [index, cloud] of (["aws", "azure", "gcp"] as const).entries()) {
      const validate = new Ajv().compile(scopes.anyOf[index]);
      for (const scope of samples[cloud]) {
        let accepted = true;
        try {
          parseOrganizationScope(cloud, scope);
        } catch {
          accepted = false;
        }
        expect(validate(scope), `${cloud} ${JSON.stringify(scope)}`).toBe(accepted);
      }
    }
  });

  it("takes each route's query parameters from the definition the route reads them with", async () => {
    const { providerListQuery } = await import("../../supabase/functions/api/routes/providers.ts");
    const documented = doc.paths["/providers"].get.parameters.filter((p: { name: string }) => p.name !== "org");
    expect(documented).toEqual(JSON.parse(JSON.stringify(providerListQuery.parameters)));
  });
});
