import { describe, expect, it } from "vitest";
import {
  csvCell,
  decodeInventoryCursor,
  encodeInventoryCursor,
  inventoryCsvLine,
  parseTagFilter,
  summarize,
  type InventoryResource,
} from "../../supabase/functions/_shared/domain/inventory-queries.ts";

describe("CSV cells", () => {
  it("defuses cells a spreadsheet would run as a formula with a leading apostrophe", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+SUM(A1)")).toBe("'+SUM(A1)");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  });

  it("quotes commas, quotes and line breaks, and leaves plain text alone", () => {
    expect(csvCell("web-1")).toBe("web-1");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(6)).toBe("6");
    expect(csvCell(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05.000Z");
  });

  it("writes one CRLF-terminated line per resource", () => {
    const resource = {
      provider_id: "7f0b6a2e-6a55-4d6b-9d8e-0a6f3c1b2d4e",
      provider_name: "Staging DO",
      provider_type: "digitalocean",
      resource_id: "101",
      name: "-rm",
      type: "instance",
      region: "nyc3",
      zone: null,
      status: "running",
      raw_status: "active",
      size: "s-1vcpu-1gb",
      list_price_monthly: 6,
      public_ips: ["159.65.0.1", "159.65.0.2"],
      private_ips: [],
      tags: { env: "prod" },
      launched_at: new Date("2026-01-01T00:00:00Z"),
      console_url: "https://cloud.digitalocean.com/droplets/101",
    } as unknown as InventoryResource;
    expect(inventoryCsvLine(resource)).toBe(
      "'-rm,101,digitalocean,Staging DO,7f0b6a2e-6a55-4d6b-9d8e-0a6f3c1b2d4e,instance,nyc3,,running,s-1vcpu-1gb,6,159.65.0.1 159.65.0.2,,env=prod,2026-01-01T00:00:00.000Z,https://cloud.digitalocean.com/droplets/101\r\n",
    );
  });
});

describe("tag filters and cursors", () => {
  it("splits a tag filter at the first colon", () => {
    expect(parseTagFilter("env:prod")).toEqual(["env", "prod"]);
    expect(parseTagFilter("url:https://x")).toEqual(["url", "https://x"]);
    expect(parseTagFilter("team")).toEqual(["team", null]);
    expect(parseTagFilter(":x")).toBeNull();
    expect(parseTagFilter("  ")).toBeNull();
  });

  it("round-trips a keyset cursor and refuses one it did not make", () => {
    const row = { name: "wéb 1", provider_id: "7f0b6a2e-6a55-4d6b-9d8e-0a6f3c1b2d4e", resource_id: "i-1" };
    expect(decodeInventoryCursor(encodeInventoryCursor(row))).toEqual(["wéb 1", row.provider_id, "i-1"]);
    expect(decodeInventoryCursor("not-a-cursor")).toBeNull();
    expect(decodeInventoryCursor(btoa(JSON.stringify(["a", "not-a-uuid", "b"])))).toBeNull();
  });
});

describe("counts", () => {
  it("adds up counts by cloud, type and provider, and list prices only where a size has one", () => {
    const providers = [
      { id: "a", name: "DO", provider_type: "digitalocean", environment: "production" },
      { id: "b", name: "AWS", provider_type: "aws", environment: "production" },
    ] as const;
    const counts = summarize(
      [
        { provider_id: "a", type: "instance", region: "nyc3", status: "running", size: "s-1vcpu-1gb", resources: 3 },
        { provider_id: "a", type: "volume", region: "nyc3", status: "running", size: null, resources: 1 },
        { provider_id: "b", type: "instance", region: "us-east-1", status: "running", size: "t3.micro", resources: 2 },
        { provider_id: "gone", type: "instance", region: null, status: "running", size: null, resources: 9 },
      ],
      [...providers],
    );
    expect(counts.total).toBe(6);
    expect(counts.byCloud).toEqual([
      { cloud: "digitalocean", resources: 4 },
      { cloud: "aws", resources: 2 },
    ]);
    expect(counts.byType).toEqual([
      { type: "instance", resources: 5 },
      { type: "volume", resources: 1 },
    ]);
    expect(counts.listPrice).toMatchObject({ monthly: 18, priced: 3, unpriced: 3 });
    expect(counts.listPrice.byProvider).toEqual([
      { provider_id: "a", provider_name: "DO", provider_type: "digitalocean", monthly: 18, priced: 3, resources: 4 },
    ]);
  });
});
