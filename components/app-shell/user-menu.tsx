"use client";

import { useFormStatus } from "react-dom";
import { ChevronsUpDownIcon, LoaderCircleIcon, LogOutIcon } from "lucide-react";

import { cn } from "@/lib/utils";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ThemeMenuRadioGroup } from "@/components/theme-toggle";
import { AfterHydration } from "@/components/after-hydration";
import type { ShellUser, SignOutAction } from "@/components/app-shell/types";

/** "ada.lovelace@example.com" → "AL", "root@example.com" → "RO". */
function initialsFromEmail(email: string) {
  const localPart = email.split("@")[0] ?? "";
  const words = localPart.split(/[._+-]+/).filter(Boolean);
  const letters = words.length >= 2 ? `${words[0]?.[0]}${words[1]?.[0]}` : localPart.slice(0, 2);
  return letters.toUpperCase() || "?";
}

function SignOutItem() {
  const { pending } = useFormStatus();

  return (
    // preventDefault keeps the menu, and so this form, mounted until the action has run.
    <DropdownMenuItem asChild disabled={pending} onSelect={(event) => event.preventDefault()}>
      <button type="submit" className="w-full">
        {pending ? <LoaderCircleIcon aria-hidden="true" className="animate-spin" /> : <LogOutIcon aria-hidden="true" />}
        {pending ? "Signing out…" : "Sign out"}
      </button>
    </DropdownMenuItem>
  );
}

type UserMenuProps = {
  user: ShellUser;
  signOutAction: SignOutAction;
  /** Only the avatar, for the mobile top bar; otherwise avatar and email fill the width. */
  compact?: boolean;
};

export function UserMenu({ user, signOutAction, compact = false }: UserMenuProps) {
  const triggerClassName = cn(
    "flex items-center gap-2.5 rounded-lg text-left transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
    compact
      ? "rounded-full p-0.5 hover:bg-accent data-[state=open]:bg-accent"
      : "w-full min-w-0 p-2 hover:bg-sidebar-accent data-[state=open]:bg-sidebar-accent",
  );
  const triggerContent = (
    <>
      <span
        aria-hidden="true"
        className="flex size-8 shrink-0 items-center justify-center rounded-full bg-primary/10 text-xs font-medium text-primary dark:bg-primary/15"
      >
        {initialsFromEmail(user.email)}
      </span>
      <span className="sr-only">Account menu for </span>
      <span className={cn("min-w-0 flex-1 truncate text-sm", compact && "sr-only")}>{user.email}</span>
      {!compact && <ChevronsUpDownIcon aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />}
    </>
  );

  return (
    <AfterHydration
      placeholder={
        <button type="button" aria-haspopup="menu" aria-expanded="false" data-state="closed" className={triggerClassName}>
          {triggerContent}
        </button>
      }
    >
      <DropdownMenu>
        <DropdownMenuTrigger className={triggerClassName}>{triggerContent}</DropdownMenuTrigger>
        <DropdownMenuContent
          align={compact ? "end" : "start"}
          side={compact ? "bottom" : "top"}
          className={cn("min-w-56", !compact && "w-(--radix-dropdown-menu-trigger-width)")}
        >
          <DropdownMenuLabel className="grid gap-0.5 font-normal">
            <span className="text-xs text-muted-foreground">Signed in as</span>
            <span className="text-sm font-medium break-all">{user.email}</span>
          </DropdownMenuLabel>
          <DropdownMenuSeparator />
          <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">Theme</DropdownMenuLabel>
          <ThemeMenuRadioGroup />
          <DropdownMenuSeparator />
          <form action={signOutAction}>
            <SignOutItem />
          </form>
        </DropdownMenuContent>
      </DropdownMenu>
    </AfterHydration>
  );
}
