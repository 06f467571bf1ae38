// Outbound safety for user-supplied endpoints (SSRF): every destination is resolved and judged before a
// byte is sent, and the connection is made to the address that was judged, so a DNS answer that changes
// between the check and the connect (rebinding) cannot reach an internal address.
//
// Runtime-neutral: node:http(s) and node:dns behave the same under Node 20 and Deno 2 (both honour the
// `lookup` option of a request and of an Agent, which is how the checked address is pinned).
//
// Split along its seams: ip.ts (addresses, ranges, allow-list rules), destination.ts (the policy, the
// check, resolution), safe-fetch.ts (fetch) and agents.ts (SDK agents). Import from here.
export * from "./ip.ts";
export * from "./destination.ts";
export * from "./safe-fetch.ts";
export * from "./agents.ts";
