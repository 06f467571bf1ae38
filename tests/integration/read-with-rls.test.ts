// readWithRls: the portal's read path with BEGIN pipelined. It must see exactly what withRls
// sees, refuse to write, and hand its connection back clean whatever happened inside.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { inject } from "vitest";
import { readWithRls, withRls, type Querier, type ReadTx, type Tx } from "../../supabase/functions/_shared/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";

// One connection, so every call below reuses the one the previous call handed back.
let sql: postgres.Sql;
let p: Personas;

const organizationsSeen = (tx: Querier) => tx<{ id: string }[]>`select id from public.organizations order by id`;

beforeAll(async () => {
  sql = postgres(inject("stack").databaseUrl, { max: 1, onnotice: () => {} });
  p = await createPersonas(sql, "readrls");
});

afterAll(async () => {
  await sql`delete from public.organizations where id = any(${[p.orgId, p.outsiderOrgId]}::uuid[])`;
  await sql.end();
});

describe("readWithRls", () => {
  it("hands out a type no writer accepts (checked by tsc): readers take a Querier, writers a Tx, the bare pool neither", () => {
    expectTypeOf<ReadTx>().not.toMatchTypeOf<Tx>();
    expectTypeOf<Tx>().toMatchTypeOf<Querier>();
    expectTypeOf<ReadTx>().toMatchTypeOf<Querier>();
    expectTypeOf<postgres.Sql>().not.toMatchTypeOf<Querier>();
  });

  it("reads as the caller under RLS, exactly as withRls does", async () => {
    for (const persona of [p.viewer, p.member, p.outsider]) {
      const read = await readWithRls(sql, persona.claims, organizationsSeen);
      expect(read).toEqual(await withRls(sql, persona.claims, organizationsSeen));
    }
    const viewerSees = (await readWithRls(sql, p.viewer.claims, organizationsSeen)).map((row) => row.id);
    expect(viewerSees).toContain(p.orgId);
    expect(viewerSees).not.toContain(p.outsiderOrgId);
    // Signed out is anon, which may not read organizations at all: the same refusal either way.
    await expect(withRls(sql, null, organizationsSeen)).rejects.toMatchObject({ code: "42501" });
    await expect(readWithRls(sql, null, organizationsSeen)).rejects.toMatchObject({ code: "42501" });
  });

  it("runs as the caller's role with the caller's claims, inside one read-only transaction", async () => {
    const [row] = await readWithRls(
      sql,
      p.member.claims,
      (tx) => tx<{ role: string; uid: string; readOnly: string; inBlock: boolean }[]>`
      select current_user as role, auth.uid()::text as uid, current_setting('transaction_read_only') as "readOnly",
             now() <> statement_timestamp() as "inBlock"`,
    );
    expect(row).toEqual({ role: "authenticated", uid: p.member.id, readOnly: "on", inBlock: true });
  });

  it("refuses to write, writes nothing, and leaves the connection clean", async () => {
    const name = `renamed-${Date.now()}`;
    await expect(
      readWithRls(sql, p.owner.claims, (tx) => tx`update public.organizations set name = ${name} where id = ${p.orgId}`),
    ).rejects.toMatchObject({
      code: "25006", // read_only_sql_transaction
    });
    const [org] = await sql<{ name: string }[]>`select name from public.organizations where id = ${p.orgId}`;
    expect(org?.name).not.toBe(name);
    // The one connection is back in the pool, outside any transaction and as the login role.
    const [state] = await sql<
      { role: string; claims: string | null }[]
    >`select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims`;
    expect(state).toEqual({ role: "postgres", claims: null });
  });

  it("rejects with the first error when a query fails, and the next call works", async () => {
    await expect(readWithRls(sql, p.viewer.claims, (tx) => tx`select * from public.no_such_table`)).rejects.toMatchObject({
      code: "42P01",
    });
    await expect(readWithRls(sql, p.viewer.claims, () => Promise.reject(new Error("run failed")))).rejects.toThrow("run failed");
    expect((await readWithRls(sql, p.viewer.claims, organizationsSeen)).map((row) => row.id)).toContain(p.orgId);
  });
});
