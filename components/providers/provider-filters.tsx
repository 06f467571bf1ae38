"use client";
// Search and filters for the providers list. They live in the URL (?q=&kind=&status=&environment=), and
// the server does the filtering; without JavaScript the form still submits as a plain GET.
import { useEffect, useRef, useState, useTransition } from "react";
import { usePathname, useRouter } from "next/navigation";
import { Loader2, Search, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ENVIRONMENTS, PROVIDER_TYPES } from "@/supabase/functions/_shared/schemas/providers.ts";
import { ENVIRONMENT_LABELS, PROVIDER_SHORT_LABELS, STATUS_LABELS, STATUSES } from "./provider-meta";

export type ProviderFilterValues = { q: string; kind: string; status: string; environment: string };

const ALL = "all";
const SEARCH_DELAY_MS = 300;

export function ProviderFilters({ values }: { values: ProviderFilterValues }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(values.q);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const active = Boolean(values.q || values.kind || values.status || values.environment);

  // Follow the URL when it changes from outside (back button, a "Clear filters" link), but not when
  // it is catching up with what was typed: that would undo keystrokes made since.
  const [seenQ, setSeenQ] = useState(values.q);
  const [sentQ, setSentQ] = useState(values.q);
  if (values.q !== seenQ) {
    setSeenQ(values.q);
    if (values.q !== sentQ.trim()) setQ(values.q);
  }
  useEffect(() => () => clearTimeout(timer.current), []);

  function navigate(next: Partial<ProviderFilterValues>) {
    clearTimeout(timer.current);
    const merged = { ...values, q, ...next };
    setSentQ(merged.q);
    const params = new URLSearchParams();
    for (const key of ["q", "kind", "status", "environment"] as const) {
      const value = merged[key].trim();
      if (value && value !== ALL) params.set(key, value);
    }
    // A new filter starts again at page 1.
    const query = params.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }

  return (
    <form
      role="search"
      aria-label="Filter providers"
      method="get"
      action={pathname}
      onSubmit={(event) => {
        event.preventDefault();
        navigate({});
      }}
      className="grid grid-cols-2 gap-3 lg:grid-cols-[minmax(0,1fr)_auto_auto_auto_auto] lg:items-end"
      data-test="provider-filters"
    >
      <div className="col-span-2 grid gap-1.5 lg:col-span-1">
        <Label htmlFor="provider-search" className="sr-only">
          Search providers
        </Label>
        <div className="relative">
          <Search
            aria-hidden="true"
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
          />
          <Input
            id="provider-search"
            type="search"
            name="q"
            placeholder="Search by name, account or key hint"
            autoComplete="off"
            maxLength={100}
            value={q}
            onChange={(event) => {
              const value = event.target.value;
              setQ(value);
              clearTimeout(timer.current);
              timer.current = setTimeout(() => navigate({ q: value }), SEARCH_DELAY_MS);
            }}
            className="pl-9"
          />
          {pending && (
            <Loader2 aria-hidden="true" className="absolute top-1/2 right-3 size-4 -translate-y-1/2 animate-spin text-muted-foreground" />
          )}
        </div>
      </div>
      <FilterSelect
        id="filter-kind"
        name="kind"
        label="Kind"
        allLabel="All kinds"
        value={values.kind}
        options={PROVIDER_TYPES.map((kind) => [kind, PROVIDER_SHORT_LABELS[kind]])}
        onChange={(kind) => navigate({ kind })}
      />
      <FilterSelect
        id="filter-status"
        name="status"
        label="Status"
        allLabel="All statuses"
        value={values.status}
        options={STATUSES.map((status) => [status, STATUS_LABELS[status]])}
        onChange={(status) => navigate({ status })}
      />
      <FilterSelect
        id="filter-environment"
        name="environment"
        label="Environment"
        allLabel="All environments"
        value={values.environment}
        options={ENVIRONMENTS.map((environment) => [environment, ENVIRONMENT_LABELS[environment]])}
        onChange={(environment) => navigate({ environment })}
      />
      {active ? (
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            setQ("");
            navigate({ q: "", kind: "", status: "", environment: "" });
          }}
        >
          <X aria-hidden="true" />
          Clear
        </Button>
      ) : (
        <span className="hidden lg:block" />
      )}
    </form>
  );
}

function FilterSelect({
  id,
  name,
  label,
  allLabel,
  value,
  options,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  allLabel: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
}) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id} className="sr-only">
        {label}
      </Label>
      <Select name={name} value={value || ALL} onValueChange={onChange}>
        <SelectTrigger id={id} className="w-full lg:w-40">
          {/* The label is given, not looked up, so the server-rendered HTML shows it before hydration. */}
          <SelectValue>{options.find(([optionValue]) => optionValue === value)?.[1] ?? allLabel}</SelectValue>
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>{allLabel}</SelectItem>
          {options.map(([optionValue, optionLabel]) => (
            <SelectItem key={optionValue} value={optionValue}>
              {optionLabel}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
