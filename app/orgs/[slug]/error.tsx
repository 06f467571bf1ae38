"use client";
// A page of the organization failed on the server: say so inside the shell, offer a retry, and
// give the reference the server logged. In production Next sends no error text to the browser,
// only its digest, so nothing of what failed (a query, a value) reaches the page.
import Link from "next/link";
import { useParams } from "next/navigation";
import { Button } from "@/components/ui/button";

export default function OrganizationPageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const { slug } = useParams<{ slug: string }>();
  return (
    <div role="alert" className="flex flex-col items-start gap-4 py-10" data-test="page-error">
      <h1 className="text-2xl font-semibold tracking-tight">This page could not be loaded</h1>
      <p className="text-muted-foreground max-w-prose">
        Something went wrong on our side. Try again; if it keeps happening, tell your administrator the reference below.
      </p>
      {error.digest ? <p className="text-muted-foreground font-mono text-xs">Reference: {error.digest}</p> : null}
      <div className="flex gap-2">
        <Button onClick={reset}>Try again</Button>
        <Button variant="outline" asChild>
          <Link href={`/orgs/${slug}/providers`}>Go to providers</Link>
        </Button>
      </div>
    </div>
  );
}
