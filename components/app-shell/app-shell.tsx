import * as React from "react";
import Link from "next/link";

import { Logo, LogoMark } from "@/components/brand/logo";
import { MobileNav } from "@/components/app-shell/mobile-nav";
import { OrgSwitcher } from "@/components/app-shell/org-switcher";
import { SidebarNav } from "@/components/app-shell/sidebar-nav";
import { UserMenu } from "@/components/app-shell/user-menu";
import type { ShellOrganization, ShellUser, SignOutAction } from "@/components/app-shell/types";

type AppShellProps = {
  /** Every organization the user belongs to, for the switcher. */
  organizations: ShellOrganization[];
  currentOrg: ShellOrganization;
  user: ShellUser;
  signOutAction: SignOutAction;
  children: React.ReactNode;
};

/**
 * The signed-in frame around an organization's pages: a fixed sidebar from md up,
 * a top bar with the sidebar in a sheet below that.
 */
export function AppShell({ organizations, currentOrg, user, signOutAction, children }: AppShellProps) {
  const homeHref = `/orgs/${encodeURIComponent(currentOrg.slug)}/providers`;

  return (
    <div data-slot="app-shell" className="min-h-svh bg-background">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50 focus:rounded-md focus:bg-background focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:shadow-md focus:ring-[3px] focus:ring-ring/50 focus:outline-none"
      >
        Skip to content
      </a>

      <aside className="fixed inset-y-0 left-0 z-30 hidden w-64 flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground md:flex">
        <div className="flex h-14 shrink-0 items-center px-5">
          <Link href={homeHref} className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-sidebar-ring/50">
            <Logo />
          </Link>
        </div>
        <div className="px-3">
          <OrgSwitcher organizations={organizations} currentOrg={currentOrg} />
        </div>
        <SidebarNav orgSlug={currentOrg.slug} className="flex-1 overflow-y-auto px-3 py-4" />
        <div className="border-t border-sidebar-border p-3">
          <UserMenu user={user} signOutAction={signOutAction} />
        </div>
      </aside>

      <div className="flex min-h-svh min-w-0 flex-col md:pl-64">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b bg-background/95 px-2 backdrop-blur supports-[backdrop-filter]:bg-background/75 sm:px-4 md:hidden">
          <MobileNav organizations={organizations} currentOrg={currentOrg} />
          <Link
            href={homeHref}
            className="flex min-w-0 items-center gap-2 rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            <LogoMark className="size-6" />
            <span className="sr-only">Cloudkeep: </span>
            <span className="truncate text-sm font-medium">{currentOrg.name}</span>
          </Link>
          <div className="ml-auto shrink-0">
            <UserMenu user={user} signOutAction={signOutAction} compact />
          </div>
        </header>

        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 space-y-6 px-4 py-6 outline-none sm:px-6 md:py-8 lg:px-10">
          {children}
        </main>
      </div>
    </div>
  );
}
