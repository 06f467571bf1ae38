// Page object for the organization-wide inventory (/orgs/<slug>/inventory): filters, the counts
// chart, list-price totals, the table and the CSV export.
import { expect, type Download, type Locator, type Page } from "@playwright/test";

export class InventoryPage {
  readonly rows: Locator;
  readonly pagination: Locator;
  readonly countsByCloud: Locator;
  readonly countsByType: Locator;
  readonly listPriceTotals: Locator;

  constructor(
    private readonly page: Page,
    private readonly slug: string,
  ) {
    this.rows = page.locator("[data-test=resource-row]");
    this.pagination = page.locator("[data-test=provider-pagination]");
    this.countsByCloud = page.locator("[data-test=counts-by-cloud]");
    this.countsByType = page.locator("[data-test=counts-by-type]");
    this.listPriceTotals = page.locator("[data-test=list-price-totals]");
  }

  async goto(query = "") {
    await this.page.goto(`/orgs/${this.slug}/inventory${query ? `?${query}` : ""}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Inventory" })).toBeVisible();
  }

  /** Opens the nav entry from any page of the organization. */
  async openFromNav() {
    await this.page.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Inventory" }).click();
    await expect(this.page).toHaveURL(new RegExp(`/orgs/${this.slug}/inventory$`));
  }

  /** Chooses a value in one of the filter selects (the Radix select once hydrated). */
  async choose(filter: string, option: string) {
    await this.page.getByRole("combobox", { name: filter }).click();
    await this.page.getByRole("option", { name: option, exact: true }).click();
  }

  async search(text: string) {
    await this.page.getByLabel("Search resources").fill(text);
  }

  async filterByTag(tag: string) {
    const field = this.page.getByLabel("Tag");
    await field.fill(tag);
    await field.press("Enter");
  }

  bar(list: Locator, label: string) {
    return list.locator("[data-test=count-bar]").filter({ hasText: label });
  }

  row(name: string) {
    return this.rows.filter({ hasText: name });
  }

  /** Clicks Export CSV and answers the download and its text. */
  async exportCsv(): Promise<{ download: Download; text: string }> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.page.locator("[data-test=export-csv]").click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { download, text: Buffer.concat(chunks).toString("utf8") };
  }
}
