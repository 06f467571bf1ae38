// Public configuration the browser may see. Referenced literally so Next inlines it.
import { z } from "zod";

const schema = z.object({
  NEXT_PUBLIC_SUPABASE_URL: z.url({ message: "must be the Supabase project URL, e.g. http://127.0.0.1:54321" }),
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: z.string().min(1, { message: "is required (sb_publishable_… or the anon key)" }),
});

export function parseEnv<T extends z.ZodType>(schema: T, values: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")} ${issue.message}`).join("\n");
    throw new Error(
      `Cloudkeep is missing configuration:\n${problems}\nRun \`npm run dev\` once to write .env.local, or see README "Hosted Supabase".`,
    );
  }
  return parsed.data;
}

export const clientEnv = parseEnv(schema, {
  NEXT_PUBLIC_SUPABASE_URL: process.env.NEXT_PUBLIC_SUPABASE_URL,
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
});
