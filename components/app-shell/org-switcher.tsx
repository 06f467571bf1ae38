"use client";

import Link from "next/link";
import { CheckIcon, ChevronsUpDownIcon, PlusIcon } from "lucide-react";

import { ROLE_LABELS } from "@/lib/auth/roles";
import { cn } from "@/lib/utils";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { AfterHydration } from "@/components/after-hydration";
import type { ShellOrganization } from "@/components/app-shell/types";

function OrganizationInitial({ name, className }: { name: string; className?: string }) {
  return (
    <span
      aria-hidden="true"
      className={cn(
        "flex shrink-0 items-center justify-center rounded-md bg-primary/10 font-semibold text-primary uppercase dark:bg-primary/15",
        className,
      )}
    >
      {name.trim().charAt(0) || "?"}
    </span>
  );
}

type OrgSwitcherProps = {
  organizations: ShellOrganization[];
  currentOrg: ShellOrganization;
};

const triggerClassName =
  "flex w-full min-w-0 items-center gap-2.5 rounded-lg border border-sidebar-border bg-background p-2 text-left shadow-xs transition-colors outline-none hover:bg-sidebar-accent focus-visible:ring-[3px] focus-visible:ring-sidebar-ring/50 data-[state=open]:bg-sidebar-accent dark:bg-input/30";

export function OrgSwitcher({ organizations, currentOrg }: OrgSwitcherProps) {
  const triggerContent = (
    <>
      <OrganizationInitial name={currentOrg.name} className="size-8 text-sm" />
      <span className="grid min-w-0 flex-1 leading-tight">
        <span className="truncate text-sm font-medium">{currentOrg.name}</span>
        <span className="truncate text-xs text-muted-foreground">{ROLE_LABELS[currentOrg.role]}</span>
      </span>
      <ChevronsUpDownIcon aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
    </>
  );

  return (
    <AfterHydration
      placeholder={
        <button
          type="button"
          aria-label="Switch organization"
          aria-haspopup="menu"
          aria-expanded="false"
          data-state="closed"
          className={triggerClassName}
        >
          {triggerContent}
        </button>
      }
    >
      <DropdownMenu>
        <DropdownMenuTrigger aria-label="Switch organization" className={triggerClassName}>
          {triggerContent}
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-(--radix-dropdown-menu-trigger-width) min-w-60">
          <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">Organizations</DropdownMenuLabel>
          {organizations.map((organization) => {
            const current = organization.slug === currentOrg.slug;

            return (
              <DropdownMenuItem key={organization.slug} asChild>
                <Link href={`/orgs/${encodeURIComponent(organization.slug)}/providers`}>
                  <OrganizationInitial name={organization.name} className="size-6 text-xs" />
                  <span className="grid min-w-0 flex-1 leading-tight">
                    <span className="truncate">{organization.name}</span>
                    <span className="truncate text-xs text-muted-foreground">{ROLE_LABELS[organization.role]}</span>
                  </span>
                  {current && (
                    <>
                      <CheckIcon aria-hidden="true" className="ml-auto text-primary" />
                      <span className="sr-only">(current)</span>
                    </>
                  )}
                </Link>
              </DropdownMenuItem>
            );
          })}
          <DropdownMenuSeparator />
          <DropdownMenuItem asChild>
            <Link href="/onboarding">
              <span aria-hidden="true" className="flex size-6 shrink-0 items-center justify-center rounded-md border border-dashed">
                <PlusIcon className="size-3.5" />
              </span>
              Create organization
            </Link>
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
    </AfterHydration>
  );
}
