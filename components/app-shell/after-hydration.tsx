"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * Renders `placeholder` on the server and while React hydrates it, `children` from then on.
 *
 * For the shell's menus: a closed Radix menu renders nothing but its trigger, yet its roots,
 * providers and hooks cost the server about as much as a dozen provider cards on every page
 * (measured: bench/providers-list.ts, docs/architecture.md → "Pages under load"). The
 * placeholder is the same button, closed, and nothing can open a menu before hydration
 * anyway; right after it, the real widget takes the button's place.
 */
export function AfterHydration({ placeholder, children }: { placeholder: React.ReactNode; children: React.ReactNode }) {
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return hydrated ? children : placeholder;
}
