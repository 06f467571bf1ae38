// Refreshes the Supabase session on every request and guards the signed-in part of the app.
import { createServerClient } from "@supabase/ssr";
import { NextResponse, type NextRequest } from "next/server";
import WebSocket from "ws";
import { getVerifiedClaims } from "@/lib/auth/verified-claims";
import { clientEnv } from "@/lib/env/client";

const PUBLIC_PATHS = ["/sign-in", "/sign-up", "/invite"];

export function isPublicPath(pathname: string) {
  return pathname === "/" || PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export async function updateSession(request: NextRequest) {
  let response = NextResponse.next({ request });
  const supabase = createServerClient(clientEnv.NEXT_PUBLIC_SUPABASE_URL, clientEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    cookies: {
      getAll: () => request.cookies.getAll(),
      setAll(toSet) {
        for (const { name, value } of toSet) request.cookies.set(name, value);
        response = NextResponse.next({ request });
        for (const { name, value, options } of toSet) response.cookies.set(name, value, options);
      },
    },
    realtime: { transport: WebSocket as never },
  });

  // DO NOT RUN CODE BETWEEN createServerClient AND getClaims(): a stale session would be
  // used and users could be signed out at random. (getVerifiedClaims reads and refreshes the
  // session exactly as getClaims() does, and calls it for any token it has not verified.)
  const claims = await getVerifiedClaims(supabase.auth);
  const signedIn = Boolean(claims?.sub);

  if (!signedIn && !isPublicPath(request.nextUrl.pathname)) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = "";
    url.searchParams.set("next", `${request.nextUrl.pathname}${request.nextUrl.search}`);
    const redirect = NextResponse.redirect(url);
    // Keep whatever cookie changes getClaims() made (e.g. clearing a dead session).
    for (const cookie of response.cookies.getAll()) redirect.cookies.set(cookie);
    return redirect;
  }
  return response;
}
