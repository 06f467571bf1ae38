"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * Renders `placeholder` on the server and while React hydrates it, `children` from then on.
 *
 * For closed Radix widgets (the shell's menus, the filter selects): closed, they render little
 * more than their trigger, yet their roots, providers and hooks cost the server several
 * percent of a page (measured: bench/providers-list.ts, docs/architecture.md → "Pages under
 * load"). The placeholder looks the same, and nothing can open a Radix widget before
 * hydration anyway; right after it, the real widget takes the placeholder's place.
 */
export function AfterHydration({ placeholder, children }: { placeholder: React.ReactNode; children: React.ReactNode }) {
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return hydrated ? children : placeholder;
}
