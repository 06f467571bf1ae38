// Search and filters for the providers list: ?q=&kind=&status=&environment=.
import { UrlFilters } from "@/components/url-filters";
import { ENVIRONMENTS, PROVIDER_TYPES } from "@/supabase/functions/_shared/schemas/providers.ts";
import { ENVIRONMENT_LABELS, PROVIDER_SHORT_LABELS, STATUS_LABELS, STATUSES } from "./provider-meta";

export type ProviderFilterValues = { q: string; kind: string; status: string; environment: string };

const SELECTS = [
  {
    name: "kind",
    label: "Kind",
    allLabel: "All kinds",
    options: PROVIDER_TYPES.map((kind): [string, string] => [kind, PROVIDER_SHORT_LABELS[kind]]),
  },
  {
    name: "status",
    label: "Status",
    allLabel: "All statuses",
    options: STATUSES.map((status): [string, string] => [status, STATUS_LABELS[status]]),
  },
  {
    name: "environment",
    label: "Environment",
    allLabel: "All environments",
    options: ENVIRONMENTS.map((environment): [string, string] => [environment, ENVIRONMENT_LABELS[environment]]),
  },
];

export function ProviderFilters({ values }: { values: ProviderFilterValues }) {
  return (
    <UrlFilters
      label="Filter providers"
      idPrefix="provider"
      searchLabel="Search providers"
      searchPlaceholder="Search by name, account or key hint"
      values={values}
      selects={SELECTS}
      data-test="provider-filters"
    />
  );
}
