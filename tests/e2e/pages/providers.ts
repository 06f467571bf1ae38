// Page objects for the providers list, the add-provider dialog, a provider's actions and the audit
// log, plus credential samples for every kind with planted canary secrets.
import { expect, type Locator, type Page } from "@playwright/test";

export type ProviderKind = "aws" | "azure" | "gcp" | "digitalocean" | "linode" | "vultr" | "openstack" | "s3_compatible";

export const KIND_LABELS: Record<ProviderKind, string> = {
  aws: "Amazon Web Services",
  azure: "Microsoft Azure",
  gcp: "Google Cloud",
  digitalocean: "DigitalOcean",
  linode: "Linode",
  vultr: "Vultr",
  openstack: "OpenStack",
  s3_compatible: "S3-compatible storage",
};

export type ProviderSample = {
  kind: ProviderKind;
  name: string;
  environment?: "Production" | "Staging" | "Development" | "Other";
  regions?: string;
  endpoint?: string;
  /** Credential inputs by their visible label. */
  fields: Record<string, string>;
  /** Checkbox labels to tick. */
  checks?: string[];
  /** A GCP key file, uploaded through the file picker. */
  keyFile?: { name: string; json: string };
  /** The way in to choose where a cloud offers several ("No secret (federation)" comes first). */
  variant?: RegExp;
  /** Unique strings planted inside the secret fields; none may ever come back. */
  canaries: string[];
};

function pad(prefix: string, length: number, alphabet: string) {
  let out = prefix;
  for (let i = 0; out.length < length; i++) out += alphabet[(i * 7 + 3) % alphabet.length];
  return out;
}

const HEX = "0123456789abcdef";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A PEM-shaped key whose body carries the canary (the schema checks the shape, nothing signs with it). */
function fakePem(canary: string) {
  const body = pad(`MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${canary}`, 64 * 6, B64);
  const lines = body.match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`;
}

/** Canaries: recognisable, unique, and each valid inside its field's shape. */
export const CANARY = {
  aws: "CANARY01awsSECRET",
  azure: "CANARY02azureSECRET",
  gcp: "CANARY03gcpPRIVATEKEY",
  digitalocean: "c0ffee04c0ffee04",
  linode: "decaf005decaf005",
  vultr: "CANARY06VULTR",
  openstack: "CANARY07openstackPW",
  s3: "CANARY08s3SECRET",
  rotated: "CANARY09rotatedSECRET",
  draft: "CANARY10draftSECRET",
  duplicate: "CANARY11duplicateSECRET",
} as const;

/** A 40-character AWS secret access key carrying the canary. */
export function awsSecret(canary: string) {
  const prefix = `wJalr/${canary}/`;
  if (prefix.length > 40) throw new Error(`AWS canary too long: ${canary}`);
  return pad(prefix, 40, "abcdefghij");
}

export function gcpKeyJson(canary: string, project = "cloudkeep-e2e-4242") {
  return JSON.stringify(
    {
      type: "service_account",
      project_id: project,
      private_key_id: "0f1e2d3c4b5a69788796a5b4c3d2e1f000112233",
      private_key: fakePem(canary),
      client_email: `cloudkeep-reader@${project}.iam.gserviceaccount.com`,
      client_id: "104242424242424242424",
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: "https://oauth2.googleapis.com/token",
    },
    null,
    2,
  );
}

/** One sample of every kind, each with a canary planted in every secret field. */
export function samplesOfEveryKind(): ProviderSample[] {
  return [
    {
      kind: "aws",
      name: "Production AWS",
      regions: "us-east-1, eu-west-1",
      variant: /^Access keys/,
      fields: { "Access key ID": "AKIAIOSFODNN7E2E0001", "Secret access key": awsSecret(CANARY.aws), "Default region": "us-east-1" },
      canaries: [CANARY.aws],
    },
    {
      kind: "azure",
      name: "Azure subscription",
      environment: "Staging",
      variant: /^Client secret/,
      fields: {
        "Directory (tenant) ID": "11111111-2222-3333-4444-555555555555",
        "Application (client) ID": "22222222-3333-4444-5555-666666666666",
        "Client secret": `Q8~${CANARY.azure}.kLmNoPqRsTuV`,
        "Subscription ID": "33333333-4444-5555-6666-777777777777",
      },
      canaries: [CANARY.azure],
    },
    {
      kind: "gcp",
      name: "GCP analytics",
      fields: {},
      keyFile: { name: "cloudkeep-e2e-key.json", json: gcpKeyJson(CANARY.gcp) },
      canaries: [CANARY.gcp],
    },
    {
      kind: "digitalocean",
      name: "DigitalOcean droplets",
      regions: "nyc3",
      fields: { "Personal access token": `dop_v1_${pad(CANARY.digitalocean, 64, HEX)}` },
      canaries: [CANARY.digitalocean],
    },
    {
      kind: "linode",
      name: "Linode edge",
      environment: "Development",
      fields: { "Personal access token": pad(CANARY.linode, 64, HEX) },
      canaries: [CANARY.linode],
    },
    {
      kind: "vultr",
      name: "Vultr batch",
      fields: { "API key": pad(CANARY.vultr, 36, UPPER) },
      canaries: [CANARY.vultr],
    },
    {
      kind: "openstack",
      name: "OpenStack lab",
      endpoint: "https://keystone.example.test:5000/v3",
      fields: { Username: "cloudkeep", Password: `${CANARY.openstack}!`, Project: "research", Region: "RegionOne" },
      canaries: [CANARY.openstack],
    },
    {
      kind: "s3_compatible",
      name: "MinIO backups",
      endpoint: "https://minio.example.test:9000",
      fields: { "Access key": "cloudkeep-backup", "Secret key": `${CANARY.s3}/minio+key` },
      checks: ["Path-style addressing"],
      canaries: [CANARY.s3],
    },
  ];
}

function escapeRegex(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A label as rendered: the text, optionally followed by "(optional)". */
export function labelled(text: string) {
  return new RegExp(`^${escapeRegex(text)}(\\s*\\(optional\\))?$`);
}

export class AddProviderDialog {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByRole("dialog", { name: "Add provider" });
  }
  field(label: string) {
    return this.root.getByLabel(labelled(label));
  }
  fieldError(label: string) {
    // FormField ties each error to its input with aria-describedby; the error element is `${id}-error`.
    return this.field(label)
      .evaluate((input) => input.id)
      .then((id) => this.root.locator(`[id="${id}-error"]`));
  }
  async chooseKind(kind: ProviderKind) {
    await this.root.getByRole("radio", { name: KIND_LABELS[kind] }).check();
    await this.next();
  }
  async next() {
    await this.root.getByRole("button", { name: "Next" }).click();
  }
  async back() {
    await this.root.getByRole("button", { name: "Back", exact: true }).click();
  }
  async fillDetails(sample: Pick<ProviderSample, "name" | "environment" | "regions" | "endpoint">) {
    await this.field("Name").fill(sample.name);
    if (sample.environment) {
      await this.root.getByRole("combobox", { name: "Environment" }).click();
      await this.page.getByRole("option", { name: sample.environment }).click();
    }
    if (sample.regions) await this.field("Regions").fill(sample.regions);
    if (sample.endpoint) await this.root.getByLabel(/^(API endpoint|Keystone URL|S3 endpoint)/).fill(sample.endpoint);
  }
  async fillCredentials(sample: Pick<ProviderSample, "fields" | "checks" | "keyFile" | "variant">) {
    if (sample.variant) await this.root.getByRole("radio", { name: sample.variant }).check();
    for (const [label, value] of Object.entries(sample.fields)) await this.field(label).fill(value);
    for (const label of sample.checks ?? []) await this.root.getByRole("checkbox", { name: label }).check();
    if (sample.keyFile) {
      // "No secret (federation)" is offered first; a key file is the other way in.
      await this.root.getByRole("radio", { name: /^Service account key/ }).check();
      await this.root.locator("[data-test=key-file-input]").setInputFiles({
        name: sample.keyFile.name,
        mimeType: "application/json",
        buffer: Buffer.from(sample.keyFile.json),
      });
      await expect(this.root.getByText(`Read ${sample.keyFile.name} in your browser`)).toBeVisible();
    }
  }
  async save() {
    await this.root.getByRole("button", { name: "Add provider" }).click();
  }
  async close() {
    await this.root.getByRole("button", { name: "Cancel" }).click();
    await expect(this.root).toBeHidden();
  }
}

export class ProvidersPage {
  readonly dialog: AddProviderDialog;
  constructor(
    readonly page: Page,
    readonly slug: string,
  ) {
    this.dialog = new AddProviderDialog(page);
  }
  async goto(query = "") {
    await this.page.goto(`/orgs/${this.slug}/providers${query}`);
    await expect(this.page.getByRole("heading", { name: "Providers", level: 1 })).toBeVisible();
  }
  addButton() {
    return this.page.getByRole("button", { name: "Add provider", exact: true });
  }
  card(name: string) {
    return this.page.getByRole("article", { name, exact: true });
  }
  cardMenus() {
    return this.page.getByRole("button", { name: /^Actions for / });
  }
  async openAddDialog() {
    await this.addButton().click();
    await expect(this.dialog.root).toBeVisible();
  }
  /** Adds a provider through every step of the dialog and waits for its card. */
  async add(sample: ProviderSample) {
    await this.openAddDialog();
    await this.dialog.chooseKind(sample.kind);
    await this.dialog.fillDetails(sample);
    await this.dialog.next();
    await this.dialog.fillCredentials(sample);
    await this.dialog.next();
    const review = this.dialog.root.locator("[data-test=review-summary]");
    await expect(review).toContainText(sample.name);
    await expect(review).toContainText("•••• set");
    for (const canary of sample.canaries) await expect(review).not.toContainText(canary);
    await this.dialog.save();
    await expect(this.dialog.root).toBeHidden();
    await expect(this.card(sample.name)).toBeVisible();
  }
  async cardAction(name: string, action: "Edit" | "Rotate credentials" | "Read-only credential" | "Suspend" | "Resume" | "Delete") {
    await this.card(name)
      .getByRole("button", { name: `Actions for ${name}` })
      .click();
    await this.page.getByRole("menuitem", { name: action }).click();
  }
  async rotate(name: string, fields: Record<string, string>) {
    await this.cardAction(name, "Rotate credentials");
    const dialog = this.page.getByRole("dialog", { name: "Rotate credentials" });
    for (const [label, value] of Object.entries(fields)) await dialog.getByLabel(labelled(label)).fill(value);
    await dialog.getByRole("button", { name: "Rotate credentials" }).click();
    await expect(dialog).toBeHidden();
  }
  async suspend(name: string) {
    await this.cardAction(name, "Suspend");
    const dialog = this.page.getByRole("alertdialog", { name: `Suspend ${name}?` });
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await expect(dialog).toBeHidden();
    await expect(this.card(name).locator("[data-test=provider-status]")).toHaveText("Suspended");
  }
  async delete(name: string) {
    await this.cardAction(name, "Delete");
    const dialog = this.page.getByRole("dialog", { name: `Delete ${name}?` });
    const confirm = dialog.getByRole("button", { name: "Delete provider" });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/to confirm$/).fill(name.slice(0, -1));
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/to confirm$/).fill(name);
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(this.card(name)).toHaveCount(0);
  }
}
