// The `health-sweep` edge function: one sweep per call, started by pg_cron through pg_net on
// hosted Supabase and by a timer in the local stack. Only a caller that presents one of the
// project's secret keys may start one: a sweep decrypts every due credential.
import { z } from "zod";
import { afterSweep } from "../_shared/domain/after-sweep.ts";
import { runSweep, type SweepOptions, type SweepResult } from "../_shared/domain/health-sweep.ts";
import { ApiError, errorResponse, json } from "../_shared/http.ts";

export type SweepDeps = Omit<SweepOptions, "log"> & {
  /** Every key that may start a sweep (a project may hold several secret keys). */
  secretKeys: string[];
};

/**
 * The project's secret keys as the environment gives them: hosted Supabase sets
 * SUPABASE_SECRET_KEYS (a JSON object of name → key) and the legacy SUPABASE_SERVICE_ROLE_KEY;
 * the local stack sets SUPABASE_SECRET_KEY.
 */
export function secretKeysFrom(env: (name: string) => string | undefined): string[] {
  const keys = [env("SUPABASE_SECRET_KEY"), env("SUPABASE_SERVICE_ROLE_KEY")];
  const many = env("SUPABASE_SECRET_KEYS");
  if (many) {
    try {
      const parsed: unknown = JSON.parse(many);
      if (parsed && typeof parsed === "object") keys.push(...Object.values(parsed).filter((v): v is string => typeof v === "string"));
    } catch {
      throw new Error("SUPABASE_SECRET_KEYS is not a JSON object of secret keys.");
    }
  }
  return [...new Set(keys.filter((key): key is string => Boolean(key && key.trim())))];
}

function presentedKey(request: Request): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  return bearer?.[1] ?? request.headers.get("apikey");
}

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

/** Compares digests in constant time, so the answer's timing says nothing about how much of a key matched. */
async function isSecretKey(candidate: string | null, keys: string[]): Promise<boolean> {
  if (!candidate) return false;
  const given = await digest(candidate);
  let matched = false;
  for (const key of keys) {
    const expected = await digest(key);
    let difference = 0;
    // Both are SHA-256 digests, 32 bytes; a missing byte counts as 0, as `undefined ^ n` did.
    for (const [i, byte] of expected.entries()) difference |= byte ^ (given[i] ?? 0);
    matched = matched || difference === 0;
  }
  return matched;
}

const MAX_BODY_CHARS = 16 * 1024;

// pg_cron posts `{}`: every organization. Operators may sweep a few organizations now.
const sweepRequestSchema = z.object({ organization_ids: z.array(z.uuid()).min(1).max(100).optional() }).strict();

async function readSweepRequest(request: Request) {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) throw new ApiError(413, "payload_too_large", "A sweep request is a small JSON object.");
  let body: unknown = {};
  try {
    if (text.trim()) body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "bad_request", "The body is not valid JSON.");
  }
  const parsed = sweepRequestSchema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(422, "validation_failed", "The body may only hold organization_ids: a list of 1–100 organization ids.");
  return parsed.data;
}

function answer(result: SweepResult) {
  return {
    run_id: result.runId,
    sweeper_id: result.sweeperId,
    started_at: result.startedAt.toISOString(),
    finished_at: result.finishedAt.toISOString(),
    claimed: result.claimed,
    checked: result.checked,
    healthy: result.healthy,
    failed: result.failed,
    errors: result.errors,
    organizations: result.organizations,
  };
}

export function createSweepHandler(deps: SweepDeps) {
  const { secretKeys, ...sweep } = deps;
  if (secretKeys.length === 0)
    throw new Error("The health-sweep function needs a secret key (SUPABASE_SECRET_KEYS or SUPABASE_SECRET_KEY) to check callers against.");

  return async function handle(request: Request): Promise<Response> {
    try {
      if (!(await isSecretKey(presentedKey(request), secretKeys))) {
        throw new ApiError(
          401,
          "unauthorized",
          "Starting a sweep needs the project's secret key: Authorization: Bearer <secret key>, or apikey: <secret key>.",
        );
      }
      if (request.method !== "POST") throw new ApiError(405, "method_not_allowed", "POST to run one sweep.");
      const { organization_ids } = await readSweepRequest(request);
      const log = (line: string) => console.error(line);
      const result = await runSweep({ ...sweep, organizationIds: organization_ids, log });
      if (result.claimed > 0) {
        const ms = result.finishedAt.getTime() - result.startedAt.getTime();
        console.log(
          `health-sweep: checked ${result.checked} (${result.healthy} healthy, ${result.failed} failed, ${result.errors} errors) in ${ms} ms`,
        );
      }
      const after = await afterSweep({
        sql: sweep.sql,
        ring: sweep.ring,
        trustedCidrs: sweep.trustedCidrs,
        oidcIssuer: sweep.oidcIssuer,
        organizationIds: organization_ids,
        log,
      });
      return json({ data: { ...answer(result), after } });
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      // The kind of failure only: a database error's text may quote a value.
      console.error(
        `health-sweep: the sweep failed (${(error as { code?: string; name?: string })?.code ?? (error as Error)?.name ?? "error"})`,
      );
      return errorResponse(
        new ApiError(500, "internal_error", "The sweep failed on our side; the next one will pick up what is still due."),
      );
    }
  };
}
