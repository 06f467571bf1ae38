// The generated database types match the migrated schema: a migration that adds a column, a
// table or an enum value without `npm run db:types` fails here, naming the difference.
import { readFileSync } from "node:fs";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_TYPES_PATH, renderDatabaseTypes } from "../../scripts/db-types.ts";
import {
  ORG_ROLE_VALUES,
  PROVIDER_ENVIRONMENT_VALUES,
  PROVIDER_STATUS_VALUES,
  PROVIDER_TYPE_VALUES,
} from "../../supabase/functions/_shared/database.types.ts";
import { connect } from "../support/db.ts";

let sql: postgres.Sql;
beforeAll(() => {
  sql = connect();
});
afterAll(async () => {
  await sql.end();
});

describe("generated database types", () => {
  it("match the migrated schema (run `npm run db:types` after a migration)", async () => {
    expect(readFileSync(DATABASE_TYPES_PATH, "utf8")).toBe(await renderDatabaseTypes(sql));
  });

  it("list each enum's values in the database's order", async () => {
    const values = async (type: string) =>
      (await sql<{ v: string }[]>`select unnest(enum_range(null::${sql.unsafe(`public.${type}`)}))::text as v`).map((r) => r.v);
    expect([...ORG_ROLE_VALUES]).toEqual(await values("org_role"));
    expect([...PROVIDER_STATUS_VALUES]).toEqual(await values("provider_status"));
    expect([...PROVIDER_TYPE_VALUES]).toEqual(await values("provider_type"));
    expect([...PROVIDER_ENVIRONMENT_VALUES]).toEqual(await values("provider_environment"));
  });
});
