// Azure's half of the setup panel: the federated identity credential that makes the app registration
// trust this provider's subject (issuer, subject, audience api://AzureADTokenExchange), and the Reader
// role on the subscription, as az commands and Terraform. Built from the provider's non-secret columns:
// the credential hint names the app and tenant, account_identifier the subscription.
import { parseFederatedAzureHint } from "../schemas/providers/azure.ts";
import { AZURE_FEDERATION_AUDIENCE, providerSubject } from "./issuer.ts";
import type { FederatedProvider, FederationSetup } from "./setup.ts";

/** A federated credential's name: unique per app, so it carries the end of the provider's id. */
export function azureFederatedCredentialName(subject: string): string {
  return `cloudkeep-${subject.slice(-12).replace(/[^A-Za-z0-9-]/g, "")}`;
}

/** The az command that adds exactly the federated credential one provider needs to app `clientId`. */
export function azureFederatedCredentialCommand(clientId: string, issuer: string, subject: string): string {
  const parameters = JSON.stringify({
    name: azureFederatedCredentialName(subject),
    issuer,
    subject,
    audiences: [AZURE_FEDERATION_AUDIENCE],
  });
  return `az ad app federated-credential create --id ${clientId} --parameters '${parameters}'`;
}

/** Azure: the app's federated credential for this provider, and Reader on its subscription. */
export function azureFederationSetup(provider: FederatedProvider, issuer: string): FederationSetup | null {
  const app = parseFederatedAzureHint(provider.credential_hint);
  if (provider.provider_type !== "azure" || provider.auth_method !== "federated" || !app) return null;
  const subscription = provider.account_identifier ?? "SUBSCRIPTION_ID";
  const subject = providerSubject(provider);
  const name = azureFederatedCredentialName(subject);
  const commands = [
    azureFederatedCredentialCommand(app.clientId, issuer, subject),
    `az role assignment create --assignee ${app.clientId} --role Reader --scope /subscriptions/${subscription}`,
  ].join("\n\n");
  const terraform = `provider "azuread" {
  tenant_id = "${app.tenantId}"
}

data "azuread_application" "cloudkeep" {
  client_id = "${app.clientId}"
}

data "azuread_service_principal" "cloudkeep" {
  client_id = "${app.clientId}"
}

resource "azuread_application_federated_identity_credential" "cloudkeep" {
  application_id = data.azuread_application.cloudkeep.id
  display_name   = "${name}"
  description    = "Cloudkeep provider ${provider.id}"
  issuer         = "${issuer}"
  subject        = "${subject}"
  audiences      = ["${AZURE_FEDERATION_AUDIENCE}"]
}

resource "azurerm_role_assignment" "cloudkeep_reader" {
  scope                = "/subscriptions/${subscription}"
  role_definition_name = "Reader"
  principal_id         = data.azuread_service_principal.cloudkeep.object_id
}
`;
  return { cloud: "azure", issuer, subject, audience: AZURE_FEDERATION_AUDIENCE, principal: app.clientId, commands, terraform };
}
