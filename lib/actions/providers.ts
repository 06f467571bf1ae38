"use server";
// Provider writes from the portal. Each goes through orgAction (signed in, member of the
// organization, admin or above) and then the shared domain function, which checks the role
// again and runs under RLS — the UI hiding a button is never the check.
import { z } from "zod";
import { orgInput, providerInput, thenRefresh } from "@/lib/actions/outcomes";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import {
  createProvider,
  deleteProvider,
  rotateProviderCredentials,
  setProviderSuspended,
  updateProvider,
} from "@/supabase/functions/_shared/domain/providers.ts";
import { setReadOnlyCredentials } from "@/supabase/functions/_shared/domain/read-only.ts";

/** Further fields pass through to the domain, which checks them with its own schema. */
const providerFields = providerInput.loose();

/** Runs a domain call, then refreshes the pages it changed (orgAction turns refusals into messages). */
const domain = <T>(slug: string, run: () => Promise<T>) => thenRefresh({ path: `/orgs/${slug}/providers`, layout: true }, run);

export const createProviderAction = orgAction(
  orgInput,
  { name: "createProvider", role: "admin" },
  async (input, { user, organization }) => {
    const { orgSlug: _slug, ...body } = input;
    const created = await domain(organization.slug, () => createProvider(vaultFor(user), organization.id, body));
    return { id: created.id, name: created.name };
  },
);

export const updateProviderAction = orgAction(
  providerFields,
  { name: "updateProvider", role: "admin" },
  async (input, { user, organization }) => {
    const { orgSlug: _slug, providerId, ...changes } = input;
    const updated = await domain(organization.slug, () => updateProvider(vaultFor(user), providerId, changes));
    return { id: updated.id, name: updated.name };
  },
);

export const rotateProviderCredentialsAction = orgAction(
  providerFields,
  { name: "rotateProviderCredentials", role: "admin" },
  async (input, { user, organization }) => {
    const apiEndpoint = typeof input.apiEndpoint === "string" || input.apiEndpoint === null ? input.apiEndpoint : undefined;
    const rotated = await domain(organization.slug, () =>
      rotateProviderCredentials(vaultFor(user), input.providerId, input.credentials, { apiEndpoint }),
    );
    return { id: rotated.id, name: rotated.name, credentialHint: rotated.credential_hint };
  },
);

export const setProviderSuspendedAction = orgAction(
  providerInput.extend({ suspended: z.boolean() }),
  { name: "setProviderSuspended", role: "admin" },
  async (input, { user, organization }) => {
    const provider = await domain(organization.slug, () => setProviderSuspended(vaultFor(user), input.providerId, input.suspended));
    return { id: provider.id, status: provider.status };
  },
);

export const deleteProviderAction = orgAction(
  providerInput.extend({ confirmName: z.string(), children: z.enum(["remove", "keep"]).optional() }),
  { name: "deleteProvider", role: "admin" },
  async (input, { user, organization }) => {
    const removed = await domain(organization.slug, () =>
      deleteProvider(vaultFor(user), input.providerId, { confirmName: input.confirmName, children: input.children }),
    );
    return removed;
  },
);

export const setReadOnlyCredentialsAction = orgAction(
  providerFields,
  { name: "setReadOnlyCredentials", role: "admin" },
  async (input, { user, organization }) => {
    const updated = await domain(organization.slug, () =>
      setReadOnlyCredentials(vaultFor(user), input.providerId, input.credentials ?? null),
    );
    return { id: updated.id, name: updated.name, credentialHint: updated.read_only_credential_hint };
  },
);
