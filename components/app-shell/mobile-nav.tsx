"use client";

import { useState } from "react";
import { usePathname } from "next/navigation";
import { MenuIcon } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { Logo } from "@/components/brand/logo";
import { AfterHydration } from "@/components/after-hydration";
import { OrgSwitcher } from "@/components/app-shell/org-switcher";
import { SidebarNav } from "@/components/app-shell/sidebar-nav";
import type { ShellOrganization } from "@/components/app-shell/types";

type MobileNavProps = {
  organizations: ShellOrganization[];
  currentOrg: ShellOrganization;
};

/** The sidebar in a sheet, behind a menu button, for screens narrower than md. */
export function MobileNav({ organizations, currentOrg }: MobileNavProps) {
  const pathname = usePathname();
  // Remember the path the sheet was opened on: any navigation (a nav link, another
  // organization) changes the path and so closes the sheet without an effect.
  const [openedOnPath, setOpenedOnPath] = useState<string | null>(null);
  const open = openedOnPath === pathname;

  const icon = <MenuIcon aria-hidden="true" className="size-5" />;

  return (
    <AfterHydration
      placeholder={
        <Button variant="ghost" size="icon" aria-label="Open navigation" aria-haspopup="dialog" aria-expanded="false" data-state="closed">
          {icon}
        </Button>
      }
    >
      <Sheet open={open} onOpenChange={(next) => setOpenedOnPath(next ? pathname : null)}>
        <SheetTrigger asChild>
          <Button variant="ghost" size="icon" aria-label="Open navigation">
            {icon}
          </Button>
        </SheetTrigger>
        <SheetContent side="left" className="w-72 max-w-[85vw] gap-0 border-sidebar-border bg-sidebar p-0 text-sidebar-foreground">
          <SheetHeader className="h-14 justify-center border-b border-sidebar-border px-5 py-0">
            <SheetTitle>
              <Logo />
            </SheetTitle>
            <SheetDescription className="sr-only">Navigation for {currentOrg.name}</SheetDescription>
          </SheetHeader>
          <div className="p-3">
            <OrgSwitcher organizations={organizations} currentOrg={currentOrg} />
          </div>
          <SidebarNav orgSlug={currentOrg.slug} onNavigate={() => setOpenedOnPath(null)} className="flex-1 overflow-y-auto px-3 pb-4" />
        </SheetContent>
      </Sheet>
    </AfterHydration>
  );
}
