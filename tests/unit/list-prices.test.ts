import { describe, expect, it } from "vitest";
import {
  formatMonthlyListPrice,
  LIST_PRICES_AS_OF,
  monthlyListPrice,
  PRICED_CLOUDS,
} from "../../supabase/functions/_shared/list-prices.ts";

describe("monthly list prices", () => {
  it("prices the sizes the fakes and the demo use", () => {
    expect(monthlyListPrice("digitalocean", "s-1vcpu-1gb")).toBe(6);
    expect(monthlyListPrice("linode", "g6-standard-1")).toBe(12);
    expect(monthlyListPrice("vultr", "vc2-1c-2gb")).toBe(10);
  });

  it("prices common sizes of each cloud", () => {
    expect(monthlyListPrice("digitalocean", "s-2vcpu-4gb")).toBe(24);
    expect(monthlyListPrice("linode", "g6-nanode-1")).toBe(5);
    expect(monthlyListPrice("linode", "g6-dedicated-2")).toBe(36);
    expect(monthlyListPrice("vultr", "vhf-1c-1gb")).toBe(6);
  });

  it("answers null for an unknown size, a missing size, or a cloud without a published monthly price", () => {
    expect(monthlyListPrice("digitalocean", "s-99vcpu-1tb")).toBeNull();
    expect(monthlyListPrice("digitalocean", null)).toBeNull();
    expect(monthlyListPrice("digitalocean", "")).toBeNull();
    expect(monthlyListPrice("aws", "t3.micro")).toBeNull();
    expect(monthlyListPrice("azure", "s-1vcpu-1gb")).toBeNull();
    // A size of another cloud is not this cloud's.
    expect(monthlyListPrice("linode", "s-1vcpu-1gb")).toBeNull();
    // Not fooled by the object's own properties.
    expect(monthlyListPrice("vultr", "constructor")).toBeNull();
    expect(monthlyListPrice("vultr", "__proto__")).toBeNull();
  });

  it("prices only DigitalOcean, Linode and Vultr, and says when the table was made", () => {
    expect(PRICED_CLOUDS.sort()).toEqual(["digitalocean", "linode", "vultr"]);
    expect(LIST_PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("formats an estimate as approximate dollars per month", () => {
    expect(formatMonthlyListPrice(6)).toBe("≈ $6/mo");
    expect(formatMonthlyListPrice(2.5)).toBe("≈ $2.5/mo");
    expect(formatMonthlyListPrice(1234)).toBe("≈ $1,234/mo");
  });
});
