// Valid sample credentials for every provider kind, each carrying a recognisable canary in
// its secret fields so tests can prove secrets never come back out.
import { readFileSync } from "node:fs";
import type { ProviderType } from "../../supabase/functions/_shared/schemas/providers.ts";

const PEM = readFileSync(new URL("../unit/fixtures/gcp-test-service-account.pem", import.meta.url), "utf8");

/** A 40-character AWS-shaped secret containing `tag`. */
export function awsSecret(tag: string) {
  return `CANARY${tag}`.padEnd(40, "x").slice(0, 40);
}

export function sampleProvider(kind: ProviderType, tag: string) {
  const hex = (n: number) => Array.from({ length: n }, (_, i) => "0123456789abcdef"[(tag.charCodeAt(i % tag.length) + i) % 16]).join("");
  const upper = `CANARY${tag.toUpperCase().replace(/[^A-Z0-9]/g, "")}`.padEnd(36, "Q").slice(0, 36);
  const samples: Record<ProviderType, { api_endpoint?: string; credentials: Record<string, unknown>; canary: string }> = {
    aws: {
      credentials: {
        access_key: `AKIA${tag
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, "")
          .padEnd(16, "X")
          .slice(0, 16)}`,
        secret_key: awsSecret(tag),
      },
      canary: awsSecret(tag),
    },
    azure: {
      credentials: {
        tenant_id: "11111111-2222-3333-4444-555555555555",
        client_id: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        client_secret: `Q~CANARY${tag}secret`,
        subscription_id: `99999999-8888-7777-6666-${hex(12)}`,
      },
      canary: `Q~CANARY${tag}secret`,
    },
    gcp: {
      credentials: {
        type: "service_account",
        project_id: `ck-${tag.toLowerCase().replace(/[^a-z0-9]/g, "")}`.slice(0, 30).padEnd(6, "0"),
        private_key_id: hex(40),
        private_key: PEM,
        client_email: `svc@ck-${tag.toLowerCase().replace(/[^a-z0-9]/g, "")}.iam.gserviceaccount.com`,
        client_id: "112233445566778899001",
        auth_uri: "https://accounts.google.com/o/oauth2/auth",
        token_uri: "https://oauth2.googleapis.com/token",
      },
      canary: PEM.split("\n")[5]!, // the fixture's key runs to some 28 lines
    },
    digitalocean: { credentials: { access_key: `dop_v1_c0ffee${hex(58)}` }, canary: `c0ffee${hex(58)}` },
    linode: { credentials: { token: `beef${hex(60)}` }, canary: `beef${hex(60)}` },
    vultr: { credentials: { api_token: upper }, canary: upper },
    openstack: {
      api_endpoint: "https://keystone.example.test:5000/v3",
      credentials: { username: `ops-${tag}`, password: `CANARY-${tag}-pw`, project: `ops-${tag}`, domain: "Default", region: "RegionOne" },
      canary: `CANARY-${tag}-pw`,
    },
    s3_compatible: {
      api_endpoint: "https://s3.example.test",
      credentials: { access_key: `minio-${tag}`, secret_key: `CANARY-${tag}-s3secret` },
      canary: `CANARY-${tag}-s3secret`,
    },
  };
  return { name: `${kind} ${tag}`, provider_type: kind, environment: "production", ...samples[kind] };
}
