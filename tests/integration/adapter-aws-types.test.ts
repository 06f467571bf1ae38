// AWS beside EC2 instances (issue 15): EBS volumes, RDS DB instances, EKS clusters and ELB v2 load balancers, each listed per region through
// the same session as instances, and S3 buckets (one ListBuckets), against the SigV4-verifying AWS fake. Each normalised field by field
// with its console page; pages followed to the end; the type filter; a type the key may not read, or a
// region where it fails, reported while everything else lists; and a database's master user secret never
// read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsAdapter } from "../../supabase/functions/_shared/providers/aws.ts";
import type { AdapterContext } from "../../supabase/functions/_shared/providers/types.ts";
import { AWS_FAKE_KEY, startAwsFake, type AwsFake } from "../fakes/aws.ts";

const REGIONS = ["us-east-1", "eu-west-1"];
const CANARY = "rds-master-secret-CANARY-7f3a";
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
const keys = { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey };

let fake: AwsFake;
const context = (overrides: Partial<AdapterContext & { type: string }> = {}) => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 8_000,
  ...overrides,
});
const byType = (resources: { type: string }[]) =>
  resources.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.type]: (counts[r.type] ?? 0) + 1 }), {});

beforeAll(async () => {
  fake = await startAwsFake({ aws: { regions: REGIONS } });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.keys[0] = AWS_FAKE_KEY;
  Object.assign(fake.aws, {
    volumes: 3,
    databases: 2,
    clusters: 1,
    loadBalancers: 2,
    databaseSecretCanary: CANARY,
    buckets: [
      { name: "acme-logs", createdAt: "2024-05-01T00:00:00.000Z" },
      { name: "acme-media", createdAt: "2024-06-01T00:00:00.000Z" },
    ],
  });
  fake.switches.resourceCount = 2;
});

describe("AWS volumes, databases, clusters, load balancers and buckets", () => {
  it("lists volumes, databases, clusters and load balancers in every region beside instances, each normalised with its console page", async () => {
    const { resources, partialFailures } = await awsAdapter.listResources(keys, context());
    expect(partialFailures).toEqual([]);
    expect(byType(resources)).toEqual({ instance: 4, volume: 6, database: 4, kubernetes_cluster: 2, load_balancer: 4, bucket: 2 });
    const cluster = resources.find((r) => r.type === "kubernetes_cluster" && r.region === "eu-west-1")!;
    expect(cluster).toEqual({
      id: `arn:aws:eks:eu-west-1:${AWS_FAKE_KEY.account}:cluster/cluster-eu-west-1-0`,
      name: "cluster-eu-west-1-0",
      type: "kubernetes_cluster",
      region: "eu-west-1",
      zone: null,
      status: "running",
      raw_status: "ACTIVE",
      size: "Kubernetes 1.31",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod", team: "team-0" },
      created_at: "2025-03-01T00:00:00.000Z",
      console_url: "https://eu-west-1.console.aws.amazon.com/eks/home?region=eu-west-1#/clusters/cluster-eu-west-1-0",
    });
    // An application load balancer answers by DNS name only; a network one carries its Elastic IP. Tags come from DescribeTags.
    const application = resources.find((r) => r.type === "load_balancer" && r.region === "us-east-1" && r.name === "lb-0")!;
    const arn = `arn:aws:elasticloadbalancing:us-east-1:${AWS_FAKE_KEY.account}:loadbalancer/app/lb-0/0000000000000000`;
    expect(application).toEqual({
      id: arn,
      name: "lb-0",
      type: "load_balancer",
      region: "us-east-1",
      zone: "us-east-1a",
      status: "running",
      raw_status: "active",
      size: "application · internet-facing",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod", team: "team-0" },
      created_at: "2025-04-01T00:00:00.000Z",
      console_url: `https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#LoadBalancer:loadBalancerArn=${encodeURIComponent(arn)}`,
    });
    const network = resources.find((r) => r.type === "load_balancer" && r.region === "us-east-1" && r.name === "lb-1")!;
    expect([network.size, network.public_ips, network.tags]).toEqual([
      "network · internet-facing",
      ["198.51.100.2"],
      { env: "prod", team: "team-1" },
    ]);
    const bucket = resources.find((r) => r.type === "bucket" && r.name === "acme-logs")!;
    expect(bucket).toMatchObject({
      id: "acme-logs",
      type: "bucket",
      region: "us-east-1",
      status: "running",
      created_at: "2024-05-01T00:00:00.000Z",
    });

    const volume = resources.find((r) => r.type === "volume" && r.region === "eu-west-1" && r.name === "data-0")!;
    expect(volume).toEqual({
      id: expect.stringMatching(/^vol-/),
      name: "data-0",
      type: "volume",
      region: "eu-west-1",
      zone: "eu-west-1a",
      status: "running",
      raw_status: "in-use",
      size: "8 GiB gp3",
      public_ips: [],
      private_ips: [],
      tags: { Name: "data-0", env: "prod" },
      created_at: "2025-01-01T00:00:00.000Z",
      console_url: `https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#VolumeDetails:volumeId=${volume.id}`,
    });
    const detached = resources.find((r) => r.type === "volume" && r.name === "data-1")!;
    expect([detached.status, detached.raw_status, detached.size]).toEqual(["stopped", "available", "58 GiB gp2"]);

    const database = resources.find((r) => r.type === "database" && r.region === "us-east-1" && r.name === "db-0")!;
    expect(database).toEqual({
      id: `arn:aws:rds:us-east-1:${AWS_FAKE_KEY.account}:db:db-0`,
      name: "db-0",
      type: "database",
      region: "us-east-1",
      zone: "us-east-1b",
      status: "running",
      raw_status: "available",
      size: "db.t4g.medium · postgres 16.4 · 20 GiB",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod" },
      created_at: "2025-02-01T00:00:00.000Z",
      console_url: "https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1#database:id=db-0;is-cluster=false",
    });
    // The master user's secret is never read: nothing of it reaches what Cloudkeep keeps.
    expect(JSON.stringify(resources)).not.toContain(CANARY);
  });

  it("follows volume, database and load balancer pages to the end, and asks for tags twenty load balancers at a time", async () => {
    Object.assign(fake.aws, { volumes: 23, databases: 45, loadBalancers: 45 });
    fake.switches.maxPageSize = 10;
    const { resources } = await awsAdapter.listResources(keys, context({ regions: ["us-east-1"] }));
    expect(byType(resources)).toEqual({ instance: 2, volume: 23, database: 45, kubernetes_cluster: 1, load_balancer: 45, bucket: 2 });
    expect(new Set(resources.map((r) => r.id)).size).toBe(resources.length);
    expect(fake.callsOf("DescribeVolumes", "us-east-1")).toHaveLength(3);
    expect(fake.callsOf("DescribeDBInstances", "us-east-1")).toHaveLength(5);
    expect(fake.callsOf("DescribeLoadBalancers", "us-east-1")).toHaveLength(5);
    expect(fake.callsOf("DescribeTags", "us-east-1")).toHaveLength(3);
    expect(resources.filter((r) => r.type === "load_balancer").every((r) => r.tags.env === "prod")).toBe(true);
  });

  it("lists only the type asked for, with only that type's calls", async () => {
    const { resources } = await awsAdapter.listResources(keys, context({ type: "database" }));
    expect(byType(resources)).toEqual({ database: 4 });
    expect(fake.callsOf("DescribeInstances")).toHaveLength(0);
    expect(fake.callsOf("DescribeVolumes")).toHaveLength(0);
    expect(byType((await awsAdapter.listResources(keys, context({ type: "bucket" }))).resources)).toEqual({ bucket: 2 });
    expect(fake.callsOf("DescribeInstances")).toHaveLength(0);
    const balancers = await awsAdapter.listResources(keys, context({ type: "load_balancer" }));
    expect([byType(balancers.resources), balancers.partialFailures]).toEqual([{ load_balancer: 4 }, []]);
    expect(fake.callsOf("DescribeDBInstances")).toHaveLength(2);
    const none = await awsAdapter.listResources(keys, context({ type: "dns_zone" }));
    expect(none).toEqual({ resources: [], partialFailures: [] });
  });

  it("reports a type the key may not read as that type's failure, naming the action, while the rest lists", async () => {
    fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["rds:DescribeDBInstances", "s3:ListAllMyBuckets", "elasticloadbalancing:DescribeTags"] };
    const { resources, partialFailures } = await awsAdapter.listResources(keys, context());
    expect(byType(resources)).toEqual({ instance: 4, volume: 6, kubernetes_cluster: 2 });
    expect(partialFailures).toEqual([
      { scope: "database", code: "AccessDenied", message: expect.stringContaining("rds:DescribeDBInstances") },
      // A role deployed before load balancers were listed: listed but untagged would be wrong, so the type fails whole.
      { scope: "load_balancer", code: "AccessDenied", message: expect.stringContaining("elasticloadbalancing:DescribeTags") },
      { scope: "bucket", code: "AccessDenied", message: expect.stringContaining("s3:ListAllMyBuckets") },
    ]);
    expect(partialFailures[1]!.message).toContain("ElasticLoadBalancingReadOnly");
  });

  it("scopes a region's failure to each type in that region, and throws when the one type asked fails everywhere", async () => {
    fake.aws.failingRegions = { "eu-west-1": "server_error" };
    const { resources, partialFailures } = await awsAdapter.listResources(keys, context());
    expect(resources.every((r) => r.region === "us-east-1")).toBe(true);
    expect(partialFailures.map((f) => f.scope).sort()).toEqual([
      "database/eu-west-1",
      "eu-west-1",
      "kubernetes_cluster/eu-west-1",
      "load_balancer/eu-west-1",
      "volume/eu-west-1",
    ]);
    expect(resources.filter((r) => r.type === "bucket")).toHaveLength(2);

    fake.aws.failingRegions = {};
    fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["ec2:DescribeVolumes"] };
    await expect(awsAdapter.listResources(keys, context({ type: "volume" }))).rejects.toMatchObject({ code: "UnauthorizedOperation" });
  });
});

describe("a refused cluster description", () => {
  it("stops the region's other descriptions instead of leaving them running after the listing", async () => {
    Object.assign(fake.aws, { clusters: 20 });
    fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["eks:DescribeCluster"] };
    const { partialFailures } = await awsAdapter.listResources(keys, context({ regions: ["us-east-1"] }));
    expect(partialFailures).toEqual([expect.objectContaining({ scope: "kubernetes_cluster", code: "AccessDeniedException" })]);
    const described = fake.callsOf("DescribeCluster").length;
    // Five at a time: the first refusals end the region's work; none of the twenty runs on afterwards.
    expect(described).toBeLessThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.callsOf("DescribeCluster")).toHaveLength(described);
  });
});
