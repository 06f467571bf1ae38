// The local migration runner: order, idempotence, and a clear stop on a broken migration.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { migrate } from "../../supabase/local/migrate.ts";

let admin: postgres.Sql;
let url: string;

beforeAll(async () => {
  admin = postgres(inject("stack").databaseUrl, { max: 1, onnotice: () => {} });
  const name = `migrations_${Date.now()}`;
  await admin.unsafe(`create database ${name}`);
  const base = new URL(inject("stack").databaseUrl);
  base.pathname = `/${name}`;
  url = base.toString();
});

afterAll(() => admin.end());

it("applies the project's migrations once, then finds nothing to do", async () => {
  const first = await migrate(url);
  expect(first.applied.length).toBeGreaterThan(0);
  const second = await migrate(url);
  expect(second).toEqual({ applied: [], skipped: first.applied.length });
});

it("stops on a failing migration, naming the file and the Postgres error, and records nothing of it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ck-migrations-"));
  await writeFile(join(dir, "20990101000000_good.sql"), "create table public.good_one (id int primary key);");
  await writeFile(join(dir, "20990101000100_broken.sql"), "create table public.half_done (id int);\nselect * from public.no_such_table;");
  await expect(migrate(url, dir)).rejects.toThrow(
    /Migration supabase\/migrations\/20990101000100_broken\.sql failed: relation "public\.no_such_table" does not exist/,
  );
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql`select table_name from information_schema.tables where table_name in ('good_one', 'half_done')`;
    expect(tables.map((t) => t.table_name)).toEqual(["good_one"]);
    const recorded = await sql`select version from supabase_migrations.schema_migrations where version like '2099%'`;
    expect(recorded.map((r) => r.version)).toEqual(["20990101000000"]);
  } finally {
    await sql.end();
  }
});
