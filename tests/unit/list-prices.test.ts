import { describe, expect, it } from "vitest";
import {
  formatMonthlyListPrice,
  LIST_PRICES_AS_OF,
  monthlyListPrice,
  PRICED_CLOUDS,
} from "../../supabase/functions/_shared/list-prices.ts";

describe("monthly list prices", () => {
  it("prices the sizes the fakes and the demo use", () => {
    expect(monthlyListPrice("digitalocean", "instance", "s-1vcpu-1gb")).toBe(6);
    expect(monthlyListPrice("linode", "instance", "g6-standard-1")).toBe(12);
    expect(monthlyListPrice("vultr", "instance", "vc2-1c-2gb")).toBe(10);
  });

  it("prices common sizes of each cloud", () => {
    expect(monthlyListPrice("digitalocean", "instance", "s-2vcpu-4gb")).toBe(24);
    expect(monthlyListPrice("linode", "instance", "g6-nanode-1")).toBe(5);
    expect(monthlyListPrice("linode", "instance", "g6-dedicated-2")).toBe(36);
    expect(monthlyListPrice("vultr", "instance", "vhf-1c-1gb")).toBe(6);
  });

  it("answers null for an unknown size, a missing size, or a cloud without a published monthly price", () => {
    expect(monthlyListPrice("digitalocean", "instance", "s-99vcpu-1tb")).toBeNull();
    expect(monthlyListPrice("digitalocean", "instance", null)).toBeNull();
    expect(monthlyListPrice("digitalocean", "instance", "")).toBeNull();
    expect(monthlyListPrice("aws", "instance", "t3.micro")).toBeNull();
    expect(monthlyListPrice("azure", "instance", "s-1vcpu-1gb")).toBeNull();
    // A size of another cloud is not this cloud's.
    expect(monthlyListPrice("linode", "instance", "s-1vcpu-1gb")).toBeNull();
    // Not fooled by the object's own properties.
    expect(monthlyListPrice("vultr", "instance", "constructor")).toBeNull();
    expect(monthlyListPrice("vultr", "instance", "__proto__")).toBeNull();
  });

  it("prices a Kubernetes cluster by its node pools, each node as an instance of its size, only when every pool is priced", () => {
    expect(monthlyListPrice("digitalocean", "kubernetes_cluster", "s-2vcpu-4gb ×3")).toBe(72);
    expect(monthlyListPrice("linode", "kubernetes_cluster", "g6-standard-2 ×3, g6-dedicated-4 ×1")).toBe(3 * 24 + 72);
    expect(monthlyListPrice("vultr", "kubernetes_cluster", "vc2-2c-4gb ×2")).toBe(40);
    // One pool the table cannot price: no total that would understate it.
    expect(monthlyListPrice("digitalocean", "kubernetes_cluster", "s-2vcpu-4gb ×3, gpu-h100x1-80gb ×1")).toBeNull();
    // A pool without its count, or no pools at all.
    expect(monthlyListPrice("digitalocean", "kubernetes_cluster", "s-2vcpu-4gb")).toBeNull();
    expect(monthlyListPrice("digitalocean", "kubernetes_cluster", null)).toBeNull();
  });

  it("prices no other type: a managed database's node type shares an instance size's name, not its price", () => {
    expect(monthlyListPrice("linode", "database", "g6-dedicated-2 ×3")).toBeNull();
    expect(monthlyListPrice("linode", "database", "g6-dedicated-2")).toBeNull();
    expect(monthlyListPrice("digitalocean", "volume", "100 GiB")).toBeNull();
    expect(monthlyListPrice("vultr", "load_balancer", "2 nodes")).toBeNull();
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
