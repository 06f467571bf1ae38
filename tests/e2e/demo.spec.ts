// The demo organization as a first run shows it (`npm run dev` seeds it the same way): the demo user
// signs in and the organization-wide inventory holds more than machines — Kubernetes clusters,
// databases, buckets, volumes and load balancers across its clouds — each type filterable, with its
// counts, and a cluster priced by its node pools where the cloud publishes one.
import { expect, test } from "./fixtures.ts";
import { parseKeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { DEMO_ORG, DEMO_USER, seedDemo, startDemoFakes, type DemoFakes } from "../../supabase/local/demo.ts";
import { SignInPage } from "./pages/auth.ts";
import { InventoryPage } from "./pages/inventory.ts";
import { database } from "./pages/setup.ts";

let sql: ReturnType<typeof database>;
let fakes: DemoFakes | undefined;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  sql = database();
  fakes = await startDemoFakes({ ports: "free" });
  await seedDemo({
    sql,
    ring: parseKeyRing(process.env.E2E_ENCRYPTION_KEYS!),
    supabaseUrl: process.env.E2E_SUPABASE_URL!,
    secretKey: process.env.E2E_SECRET_KEY!,
    fakes,
  });
});

test.afterAll(async () => {
  await fakes?.stop();
  await sql?.end();
});

test("the demo organization's inventory shows clusters, databases, buckets, volumes and load balancers across its clouds", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await new SignInPage(page).goto(`/orgs/${DEMO_ORG.slug}/inventory`);
  await new SignInPage(page).submit(DEMO_USER.email, DEMO_USER.password);
  const inventory = new InventoryPage(page, DEMO_ORG.slug);
  await expect(page.getByRole("heading", { level: 1, name: "Inventory" })).toBeVisible();

  const stored = await sql<{ type: string; n: number }[]>`
    select r.type, count(*)::int as n from public.provider_resources r join public.organizations o on o.id = r.organization_id
    where o.slug = ${DEMO_ORG.slug} and r.vanished_at is null group by r.type`;
  const count = Object.fromEntries(stored.map((row) => [row.type, row.n]));
  for (const [type, label] of [
    ["kubernetes_cluster", "Kubernetes cluster"],
    ["database", "Database"],
    ["bucket", "Bucket"],
    ["volume", "Volume"],
    ["load_balancer", "Load balancer"],
  ] as const) {
    expect(count[type], type).toBeGreaterThan(0);
    await expect(inventory.bar(inventory.countsByType, label)).toContainText(count[type]!.toLocaleString("en"));
  }
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.screenshot({ path: test.info().outputPath("demo-inventory.png"), fullPage: true });

  // One type at a time, from the filter: every row is a cluster, and a DigitalOcean one is priced by its node pools.
  await inventory.choose("Type", "Kubernetes cluster");
  await expect(page).toHaveURL(/type=kubernetes_cluster/);
  await expect(inventory.pagination).toContainText(`of ${count.kubernetes_cluster}`);
  await expect(inventory.rows.first()).toContainText("Kubernetes cluster");
  await inventory.choose("Cloud", "DigitalOcean");
  await expect(inventory.rows.first().locator("[data-test=list-price]")).toContainText("list price");
});
