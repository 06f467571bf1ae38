"use client";
// Supabase client for Client Components (browser). Holds only the publishable key.
import { createBrowserClient } from "@supabase/ssr";
import { clientEnv } from "@/lib/env/client";

export function createClient() {
  return createBrowserClient(clientEnv.NEXT_PUBLIC_SUPABASE_URL, clientEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY);
}
