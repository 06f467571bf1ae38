import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-svh flex-col items-center justify-center gap-4 p-6 text-center">
      <p className="text-muted-foreground text-sm font-medium">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Nothing here</h1>
      <p className="text-muted-foreground max-w-sm">This page does not exist, or it belongs to an organization you are not a member of.</p>
      <Button asChild>
        <Link href="/">Go to your organizations</Link>
      </Button>
    </main>
  );
}
