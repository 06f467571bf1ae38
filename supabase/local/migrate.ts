// Applies the local bootstrap and then supabase/migrations in order, each once, each in a
// transaction, recording them where the Supabase CLI does.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";

const here = import.meta.dirname;
export const migrationsDir = join(here, "..", "migrations");

export class MigrationError extends Error {
  constructor(
    readonly file: string,
    readonly cause: unknown,
  ) {
    const pg = cause as { message?: string; detail?: string; hint?: string; position?: string };
    const extra = [pg.detail && `detail: ${pg.detail}`, pg.hint && `hint: ${pg.hint}`, pg.position && `at character ${pg.position}`]
      .filter(Boolean)
      .join("; ");
    super(`Migration ${file} failed: ${pg.message ?? String(cause)}${extra ? ` (${extra})` : ""}`);
  }
}

export type MigrateResult = { applied: string[]; skipped: number };

export async function migrate(databaseUrl: string, dir = migrationsDir): Promise<MigrateResult> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const bootstrap = await readFile(join(here, "bootstrap.sql"), "utf8");
    try {
      await sql.unsafe(bootstrap);
    } catch (error) {
      throw new MigrationError("supabase/local/bootstrap.sql", error);
    }

    const done = new Set(
      (await sql<{ version: string }[]>`select version from supabase_migrations.schema_migrations`).map((r) => r.version),
    );
    const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
    const applied: string[] = [];
    for (const file of files) {
      // split always gives at least one part; the default is never used.
      const [version = "", ...rest] = file.replace(/\.sql$/, "").split("_");
      if (done.has(version)) continue;
      const text = await readFile(join(dir, file), "utf8");
      try {
        await sql.begin(async (tx) => {
          await tx.unsafe(text);
          await tx`insert into supabase_migrations.schema_migrations (version, name, statements) values (${version}, ${rest.join("_")}, ${[text]})`;
        });
      } catch (error) {
        throw new MigrationError(`supabase/migrations/${file}`, error);
      }
      applied.push(file);
    }
    return { applied, skipped: files.length - applied.length };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
