// Server-only configuration, validated when first imported: a missing variable stops the
// server with its name rather than failing later in a request.
import "server-only";
import { z } from "zod";
import { clientEnv, parseEnv } from "./client";

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { message: "must be a postgresql:// connection string" }),
  SUPABASE_SECRET_KEY: z.string().min(1).optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export const serverEnv = { ...clientEnv, ...parseEnv(schema, process.env) };
