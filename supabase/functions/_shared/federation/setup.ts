// What a person pastes into the cloud to trust one provider: the issuer, the exact subject, the
// audience, and generated gcloud / Terraform that set it up. Built from the provider's stored,
// non-secret columns (its id, organization and credential hint) and the issuer URL; nothing here is
// secret, and nothing needs decrypting.
import { parseWorkloadIdentityHint } from "../schemas/providers/gcp-workload-identity.ts";
import { GCP_VIEWER_ROLES } from "../providers/gcp-resources.ts";
import { providerSubject, type FederationValues } from "./issuer.ts";

export type FederatedProvider = {
  id: string;
  organization_id: string;
  /** A discovered account's tokens carry its parent's subject (see providerSubject). */
  federation_subject_id?: string | null;
  provider_type: string;
  auth_method: string;
  credential_hint: string | null;
  account_identifier: string | null;
};

export type FederationSetup = FederationValues & {
  cloud: "gcp" | "aws" | "azure";
  /** Shell commands, in order (gcloud, aws or az). */
  commands: string;
  terraform: string;
  /** A CloudFormation template (JSON), where the cloud has one. */
  cloudformation?: string;
  /** Who the cloud sees for this provider: Google's IAM member, the AWS role, the Azure application. */
  principal: string;
};

export const FEDERATED_METHODS = new Set(["workload_identity", "web_identity", "federated"]);

export function isFederated(provider: Pick<FederatedProvider, "auth_method">): boolean {
  return FEDERATED_METHODS.has(provider.auth_method);
}

/** One role binding per viewer role the listing needs (Compute, Kubernetes Engine, Cloud SQL, Cloud Storage). */
function viewerBindings(project: string, member: string): string[] {
  return GCP_VIEWER_ROLES.map((role) => `gcloud projects add-iam-policy-binding ${project} --member="${member}" --role=${role}`);
}

function viewerTerraform(project: string, member: string): string {
  return GCP_VIEWER_ROLES.map(
    (role) => `resource "google_project_iam_member" "cloudkeep_${role.replace(/^roles\//, "").replace(/\./g, "_")}" {
  project = "${project}"
  role    = "${role}"
  member  = "${member}"
}
`,
  ).join("\n");
}

/** Google Cloud: the pool provider trusting the issuer, the subject binding, and the viewer roles the listing needs. */
export function gcpFederationSetup(provider: FederatedProvider, issuer: string): FederationSetup | null {
  const parts = parseWorkloadIdentityHint(provider.credential_hint);
  if (provider.provider_type !== "gcp" || !parts) return null;
  const project = provider.account_identifier ?? "PROJECT_ID";
  const subject = providerSubject(provider);
  const pool = `projects/${parts.projectNumber}/locations/global/workloadIdentityPools/${parts.pool}`;
  const audience = `https://iam.googleapis.com/${pool}/providers/${parts.provider}`;
  const principal = `principal://iam.googleapis.com/${pool}/subject/${subject}`;
  const account = parts.account;
  const commands = [
    `gcloud iam workload-identity-pools create ${parts.pool} --project=${project} --location=global --display-name="Cloudkeep"`,
    `gcloud iam workload-identity-pools providers create-oidc ${parts.provider} --project=${project} --location=global \\\n  --workload-identity-pool=${parts.pool} --issuer-uri="${issuer}" \\\n  --attribute-mapping="google.subject=assertion.sub"`,
    ...(account
      ? [
          `gcloud iam service-accounts add-iam-policy-binding ${account} --project=${project} \\\n  --role=roles/iam.workloadIdentityUser --member="${principal}"`,
          ...viewerBindings(project, `serviceAccount:${account}`),
        ]
      : viewerBindings(project, principal)),
    `gcloud iam workload-identity-pools create-cred-config ${pool}/providers/${parts.provider} \\\n  ${account ? `--service-account=${account} ` : ""}--credential-source-file=/dev/null --output-file=cloudkeep-credential-config.json`,
  ].join("\n\n");
  const terraform = `resource "google_iam_workload_identity_pool" "cloudkeep" {
  project                   = "${project}"
  workload_identity_pool_id = "${parts.pool}"
  display_name              = "Cloudkeep"
}

resource "google_iam_workload_identity_pool_provider" "cloudkeep" {
  project                            = "${project}"
  workload_identity_pool_id          = google_iam_workload_identity_pool.cloudkeep.workload_identity_pool_id
  workload_identity_pool_provider_id = "${parts.provider}"
  attribute_mapping                  = { "google.subject" = "assertion.sub" }
  oidc {
    issuer_uri = "${issuer}"
    # allowed_audiences left empty: Google accepts ${audience}
  }
}
${
  account
    ? `
resource "google_service_account_iam_member" "cloudkeep_federation" {
  service_account_id = "projects/${project}/serviceAccounts/${account}"
  role               = "roles/iam.workloadIdentityUser"
  member             = "${principal}"
}

${viewerTerraform(project, `serviceAccount:${account}`)}`
    : `
${viewerTerraform(project, principal)}`
}`;
  return { cloud: "gcp", issuer, subject, audience, principal, commands, terraform };
}
