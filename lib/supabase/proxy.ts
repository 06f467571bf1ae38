// Refreshes the Supabase session on every request and guards the signed-in part of the app.
import { createServerClient } from "@supabase/ssr";
import { NextResponse, type NextRequest } from "next/server";
import WebSocket from "ws";
import { getVerifiedClaimsForCookies } from "@/lib/auth/verified-claims";
import { clientEnv } from "@/lib/env/client";

const PUBLIC_PATHS = ["/sign-in", "/sign-up", "/invite"];

export function isPublicPath(pathname: string) {
  return pathname === "/" || PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export async function updateSession(request: NextRequest) {
  let response = NextResponse.next({ request });
  let cookiesWritten = false;
  // The Supabase client is only built when the session must be read (see verified-claims.ts).
  const reader = () => ({
    auth: createServerClient(clientEnv.NEXT_PUBLIC_SUPABASE_URL, clientEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
      cookies: {
        getAll: () => request.cookies.getAll(),
        setAll(toSet) {
          cookiesWritten = true;
          for (const { name, value } of toSet) request.cookies.set(name, value);
          response = NextResponse.next({ request });
          for (const { name, value, options } of toSet) response.cookies.set(name, value, options);
        },
      },
      realtime: { transport: WebSocket as never },
    }).auth,
    cookiesWritten: () => cookiesWritten,
  });

  // Reading the session through the client refreshes it when due and verifies the token
  // (getClaims); a session already read and verified is remembered until near its expiry.
  const claims = await getVerifiedClaimsForCookies(request.cookies.getAll(), reader);
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
