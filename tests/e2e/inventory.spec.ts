import { expect, test } from "./fixtures.ts";
import { InventoryPage } from "./pages/inventory.ts";
import { adminWithOrganization, database } from "./pages/setup.ts";
import { firstRow } from "../support/rows.ts";

let sql: ReturnType<typeof database>;
test.beforeAll(() => {
  sql = database();
});
test.afterAll(async () => {
  await sql?.end();
});

const ENVELOPE = { v: 1, alg: "A256GCM", kid: "k1", wk: "d2s=", wiv: "aXY=", iv: "aXY=", ct: "Y3Q=" };

/** Providers and their stored inventory, written as a refresh would (the service role's writer). */
async function seedInventory(slug: string) {
  const org = firstRow(await sql<{ id: string }[]>`select id from public.organizations where slug = ${slug}`);
  const provider = async (name: string, kind: string) => {
    const row = firstRow(
      await sql<{ id: string }[]>`
      insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint)
      values (${org.id}, ${name}, ${kind}, 'api_token', ${sql.json(ENVELOPE)}, 'hint', ${`e2e-${slug}-${name}`}) returning id`,
    );
    return row.id;
  };
  const record = (id: string, resources: Record<string, unknown>[]) =>
    sql.begin(async (tx) => {
      await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      await tx`select private.record_inventory(${id}, ${tx.json(resources as never)}, '[]')`;
    });
  const droplets = Array.from({ length: 30 }, (_, i) => ({
    id: String(5000 + i),
    name: `droplet-${String(i).padStart(2, "0")}`,
    type: "instance",
    region: i % 2 ? "nyc3" : "fra1",
    status: i % 5 === 0 ? "stopped" : "running",
    size: i % 3 ? "s-1vcpu-1gb" : "s-2vcpu-4gb",
    public_ips: [`159.65.1.${i}`],
    tags: { env: i % 2 ? "prod" : "staging" },
    created_at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    console_url: `https://cloud.digitalocean.com/droplets/${5000 + i}`,
  }));
  await record(await provider("Droplets", "digitalocean"), droplets);
  await record(await provider("Main AWS", "aws"), [
    {
      id: "i-0aa1",
      name: "web-a",
      type: "instance",
      region: "us-east-1",
      status: "running",
      size: "t3.micro",
      private_ips: ["10.0.0.7"],
      tags: { env: "prod" },
    },
    { id: "vol-0bb2", name: "=cmd|' /C calc'!A0", type: "volume", region: "us-east-1", status: "running", tags: {} },
  ]);
  await record(await provider("Linode lab", "linode"), [
    { id: "77", name: "lab-1", type: "instance", region: "us-east", status: "running", size: "g6-standard-1", tags: { env: "dev" } },
  ]);
}

test("a member sees every provider's resources in one inventory, filters them, reads the counts and downloads the CSV", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const { slug } = await adminWithOrganization(page, "inventory");
  await seedInventory(slug);
  const inventory = new InventoryPage(page, slug);
  await inventory.openFromNav();

  // Counts by cloud and type, the organization's list-price total, and the first page.
  await expect(inventory.bar(inventory.countsByCloud, "DigitalOcean")).toContainText("30");
  await expect(inventory.bar(inventory.countsByCloud, "AWS")).toContainText("2");
  await expect(inventory.bar(inventory.countsByType, "volume")).toContainText("1");
  // 20 × $6 + 10 × $24 + $12 (Linode 2GB), list prices.
  await expect(page.locator("[data-test=organization-list-price]")).toHaveText("≈ $372/mo");
  await expect(inventory.listPriceTotals).toContainText("list price");
  await expect(inventory.rows).toHaveCount(25);
  await expect(inventory.pagination).toContainText("1–25 of 33");
  await expect(inventory.row("droplet-01").locator("[data-test=list-price]")).toHaveText("≈ $6/mo (list price)");
  await expect(inventory.row("droplet-01").getByRole("link", { name: "Droplets" })).toHaveAttribute(
    "href",
    /\/providers\/[0-9a-f-]{36}\?tab=resources$/,
  );
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.screenshot({ path: "test-results/screens/inventory-desktop.png", fullPage: true });

  // Filters live in the URL and the server applies them; counts follow.
  await inventory.choose("Cloud", "AWS");
  await expect(page).toHaveURL(/cloud=aws/);
  await expect(inventory.rows).toHaveCount(2);
  await expect(inventory.bar(inventory.countsByCloud, "AWS")).toContainText("2");
  await expect(inventory.countsByCloud.locator("[data-test=count-bar]")).toHaveCount(1);
  await inventory.choose("Cloud", "All clouds");
  await inventory.choose("Status", "Stopped");
  await expect(page).toHaveURL(/status=stopped/);
  await expect(inventory.pagination).toContainText("1–6 of 6");
  await inventory.choose("Status", "All statuses");
  await inventory.search("10.0.0.7");
  await expect(inventory.rows).toHaveCount(1);
  await expect(inventory.rows.first()).toContainText("web-a");
  await inventory.search("");
  await expect(inventory.rows).toHaveCount(25);
  await inventory.filterByTag("env:prod");
  await expect(page).toHaveURL(/tag=env%3Aprod/);
  await expect(inventory.pagination).toContainText("of 16");
  await inventory.choose("Region", "nyc3");
  await expect(inventory.pagination).toContainText("of 15");

  // The CSV follows the same filters.
  const csv = await inventory.exportCsv();
  expect(csv.download.suggestedFilename()).toMatch(new RegExp(`^${slug}-inventory-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const lines = csv.text.trimEnd().split("\r\n");
  expect(lines[0]).toBe(
    "name,resource_id,cloud,provider,provider_id,type,region,zone,status,size,list_price_usd_month,public_ips,private_ips,tags,created_at,console_url",
  );
  expect(lines).toHaveLength(16);
  expect(lines[1]).toMatch(
    /^droplet-01,5001,digitalocean,Droplets,[0-9a-f-]{36},instance,nyc3,,running,s-1vcpu-1gb,6,159\.65\.1\.1,,env=prod,2026-01-02T00:00:00\.000Z,https:\/\/cloud\.digitalocean\.com\/droplets\/5001$/,
  );

  // The whole inventory as CSV, formula cells defused.
  await inventory.goto();
  const all = await inventory.exportCsv();
  expect(all.text.trimEnd().split("\r\n")).toHaveLength(34);
  // The apostrophe makes it text; with no comma, quote or line break the cell needs no quotes.
  expect(all.text).toContain(`\r\n'=cmd|' /C calc'!A0,vol-0bb2,aws,Main AWS,`);

  // A narrow screen keeps the same page, the table scrolling sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await inventory.goto("cloud=digitalocean");
  await expect(inventory.rows).toHaveCount(25);
  await page.screenshot({ path: "test-results/screens/inventory-mobile.png", fullPage: true });
});
