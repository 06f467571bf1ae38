// Reading the JSON a cloud's API answers with: records, strings, tags, addresses, timestamps, and
// MalformedShape when a field the API documents is missing.
import { classifyAddress } from "../net/outbound.ts";

/** A body that is JSON but not the shape the API documents. */
export class MalformedShape extends Error {}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
}

/** "env:prod" → { env: "prod" }, "web" → { web: "" }: the key:value convention these clouds' tags follow. */
export function tagsFromList(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(tags)) return out;
  for (const tag of tags) {
    if (typeof tag !== "string" || tag === "") continue;
    const colon = tag.indexOf(":");
    if (colon > 0) out[tag.slice(0, colon)] = tag.slice(colon + 1);
    else out[tag] = "";
  }
  return out;
}

/** Splits addresses into public and private by range (private, shared, link-local, unique-local → private). */
export function splitAddresses(addresses: (string | null | undefined)[]): { public_ips: string[]; private_ips: string[] } {
  const public_ips: string[] = [];
  const private_ips: string[] = [];
  for (const raw of addresses) {
    if (!raw) continue;
    const address = raw.replace(/\/\d+$/, "");
    if (classifyAddress(address) === null) public_ips.push(address);
    else private_ips.push(address);
  }
  return { public_ips, private_ips };
}

/** A timestamp the cloud writes without a zone ("2018-01-01T00:01:01", "2022-05-09 10:13:31") is UTC; one with a zone stays as it is. */
export function utcTimestamp(value: unknown): string | null {
  const text = str(value);
  if (!text) return null;
  if (/(Z|[+-]\d\d:?\d\d)$/.test(text)) return text;
  const plain = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)$/.exec(text);
  return plain ? `${plain[1]}T${plain[2]}Z` : text;
}

/** A required field of an API object, or MalformedShape naming it. */
export function required(object: Record<string, unknown>, field: string, what: string): unknown {
  const value = object[field];
  if (value === undefined || value === null) throw new MalformedShape(`${what} has no "${field}"`);
  return value;
}

/** An item's id, which every listed item must have. */
export function idOf(item: Record<string, unknown>, what: string): string {
  const id = str(required(item, "id", what));
  if (!id) throw new MalformedShape(`${what} has an empty "id"`);
  return id;
}
