// AWS resource types beside EC2 instances (issue 15): EBS volumes (ec2:DescribeVolumes), RDS DB
// instances (rds:DescribeDBInstances), EKS clusters (eks:ListClusters + eks:DescribeCluster) and
// Elastic Load Balancing v2 load balancers (elasticloadbalancing:DescribeLoadBalancers + DescribeTags),
// each listed per region through the listing's session, each normalised like instances with its
// console page. Only named fields are read: a DB instance's MasterUserSecret and a cluster's
// certificate never are. The RDS, EKS and ELB clients load only when their type is listed.
import type { EC2Client, Volume } from "@aws-sdk/client-ec2";
import type { DBInstance, RDSClient } from "@aws-sdk/client-rds";
import type { Cluster, EKSClient } from "@aws-sdk/client-eks";
import type { ElasticLoadBalancingV2Client, LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mapLimit } from "../concurrency.ts";
import { awsCall, awsConsoleUrl, awsTags, followPages, sdkClientConfig, withoutSdkLogging, type AwsSession } from "./aws.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

const iso = (value: Date | string | undefined) => (value ? new Date(value).toISOString() : null);

// ---------------------------------------------------------------------------------------------------
// EBS volumes

const VOLUME_STATUS: Record<string, ResourceStatus> = {
  "in-use": "running",
  available: "stopped",
  creating: "pending",
  deleting: "terminated",
  deleted: "terminated",
  error: "error",
};

function normalizeVolume(volume: Volume, region: string): NormalizedResource {
  const id = volume.VolumeId ?? "";
  const tags = awsTags(volume.Tags);
  const raw = volume.State ?? null;
  return {
    id,
    name: tags.Name || id,
    type: "volume",
    region,
    zone: volume.AvailabilityZone ?? null,
    status: (raw && VOLUME_STATUS[raw]) || "unknown",
    raw_status: raw,
    size: volume.Size === undefined ? null : `${volume.Size} GiB${volume.VolumeType ? ` ${volume.VolumeType}` : ""}`,
    public_ips: [],
    private_ips: [],
    tags,
    created_at: iso(volume.CreateTime),
    console_url: id
      ? awsConsoleUrl(region, `ec2/home?region=${encodeURIComponent(region)}#VolumeDetails:volumeId=${encodeURIComponent(id)}`)
      : null,
  };
}

export async function listVolumes(session: AwsSession, client: EC2Client, region: string): Promise<NormalizedResource[]> {
  const { DescribeVolumesCommand } = await import("@aws-sdk/client-ec2");
  const volumes = await followPages(`DescribeVolumes in ${region}`, async (token) => {
    const output = await awsCall(session, { service: "ec2", action: "ec2:DescribeVolumes", region }, (abortSignal) =>
      client.send(new DescribeVolumesCommand({ MaxResults: 500, ...(token ? { NextToken: token } : {}) }), { abortSignal }),
    );
    return { items: output.Volumes ?? [], next: output.NextToken || undefined };
  });
  return volumes.map((volume) => normalizeVolume(volume, region));
}

// ---------------------------------------------------------------------------------------------------
// RDS DB instances

const DATABASE_STATUS: Record<string, ResourceStatus> = {
  available: "running",
  "backing-up": "running",
  maintenance: "running",
  modifying: "running",
  "storage-optimization": "running",
  "configuring-enhanced-monitoring": "running",
  creating: "pending",
  starting: "pending",
  rebooting: "pending",
  upgrading: "pending",
  renaming: "pending",
  stopping: "pending",
  stopped: "stopped",
  deleting: "terminated",
  failed: "error",
  "incompatible-network": "error",
  "incompatible-parameters": "error",
  "incompatible-restore": "error",
  "inaccessible-encryption-credentials": "error",
  "storage-full": "error",
};

/**
 * ONLY the fields named here are read. MasterUserSecret (the Secrets Manager secret holding the master
 * password), CertificateDetails and the master user name are not. The endpoint is a DNS name, not an
 * address, so a database lists no IPs.
 */
function normalizeDatabase(db: DBInstance, region: string): NormalizedResource {
  const id = db.DBInstanceIdentifier ?? "";
  const raw = db.DBInstanceStatus ?? null;
  const engine = [db.Engine, db.EngineVersion].filter(Boolean).join(" ");
  return {
    id: db.DBInstanceArn ?? id,
    name: id,
    type: "database",
    region,
    zone: db.AvailabilityZone ?? null,
    status: (raw && DATABASE_STATUS[raw]) || "unknown",
    raw_status: raw,
    size: [db.DBInstanceClass, engine || null, db.AllocatedStorage === undefined ? null : `${db.AllocatedStorage} GiB`]
      .filter(Boolean)
      .join(" · "),
    public_ips: [],
    private_ips: [],
    tags: awsTags(db.TagList),
    created_at: iso(db.InstanceCreateTime),
    console_url: id
      ? awsConsoleUrl(region, `rds/home?region=${encodeURIComponent(region)}#database:id=${encodeURIComponent(id)};is-cluster=false`)
      : null,
  };
}

/** One client of a service per region, on the listing's session (same agents, endpoint and budget as EC2's). */
function perRegion<Client extends { middlewareStack: { remove(name: string): boolean } }>(
  session: AwsSession,
  create: (config: ReturnType<typeof sdkClientConfig>) => Client,
) {
  const clients = new Map<string, Client>();
  return (region: string) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = withoutSdkLogging(create(sdkClientConfig(session, region)))));
    return client;
  };
}

export async function rdsClients(session: AwsSession) {
  const { RDSClient } = await import("@aws-sdk/client-rds");
  return perRegion(session, (config) => new RDSClient(config));
}

export async function listDatabases(session: AwsSession, client: RDSClient, region: string): Promise<NormalizedResource[]> {
  const { DescribeDBInstancesCommand } = await import("@aws-sdk/client-rds");
  const instances = await followPages(`DescribeDBInstances in ${region}`, async (marker) => {
    const output = await awsCall(session, { service: "rds", action: "rds:DescribeDBInstances", region }, (abortSignal) =>
      client.send(new DescribeDBInstancesCommand({ MaxRecords: 100, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
    );
    return { items: output.DBInstances ?? [], next: output.Marker || undefined };
  });
  return instances.map((db) => normalizeDatabase(db, region));
}

// ---------------------------------------------------------------------------------------------------
// EKS clusters

const CLUSTER_STATUS: Record<string, ResourceStatus> = {
  ACTIVE: "running",
  UPDATING: "running",
  CREATING: "pending",
  PENDING: "pending",
  DELETING: "terminated",
  FAILED: "error",
};

/** DescribeCluster calls in flight at once per region (ListClusters names them; each needs its own call). */
const DESCRIBE_CONCURRENCY = 5;

/** ONLY the fields named here are read; certificateAuthority and identity are not. The endpoint is a DNS name, so a cluster lists no IPs. */
function normalizeCluster(cluster: Cluster, region: string): NormalizedResource {
  const name = cluster.name ?? "";
  const raw = cluster.status ?? null;
  return {
    id: cluster.arn ?? name,
    name,
    type: "kubernetes_cluster",
    region,
    zone: null,
    status: (raw && CLUSTER_STATUS[raw]) || "unknown",
    raw_status: raw,
    size: cluster.version ? `Kubernetes ${cluster.version}` : null,
    public_ips: [],
    private_ips: [],
    tags: { ...(cluster.tags ?? {}) },
    created_at: iso(cluster.createdAt),
    console_url: name ? awsConsoleUrl(region, `eks/home?region=${encodeURIComponent(region)}#/clusters/${encodeURIComponent(name)}`) : null,
  };
}

export async function eksClients(session: AwsSession) {
  const { EKSClient } = await import("@aws-sdk/client-eks");
  return perRegion(session, (config) => new EKSClient(config));
}

export async function listClusters(session: AwsSession, client: EKSClient, region: string): Promise<NormalizedResource[]> {
  const { ListClustersCommand, DescribeClusterCommand } = await import("@aws-sdk/client-eks");
  const names = await followPages(`ListClusters in ${region}`, async (token) => {
    const output = await awsCall(session, { service: "eks", action: "eks:ListClusters", region }, (abortSignal) =>
      client.send(new ListClustersCommand({ maxResults: 100, ...(token ? { nextToken: token } : {}) }), { abortSignal }),
    );
    return { items: output.clusters ?? [], next: output.nextToken || undefined };
  });
  const clusters = await mapLimit(names, DESCRIBE_CONCURRENCY, async (name) => {
    const output = await awsCall(session, { service: "eks", action: "eks:DescribeCluster", region }, (abortSignal) =>
      client.send(new DescribeClusterCommand({ name }), { abortSignal }),
    );
    return output.cluster ? normalizeCluster(output.cluster, region) : null;
  });
  return clusters.filter((cluster): cluster is NormalizedResource => cluster !== null);
}

// ---------------------------------------------------------------------------------------------------
// Elastic Load Balancing v2: application, network and gateway load balancers (Classic Load Balancers,
// the older elasticloadbalancing 2012-06-01 API, are not listed)

const LOAD_BALANCER_STATUS: Record<string, ResourceStatus> = {
  active: "running",
  // Serving, with some targets or zones unhealthy: in service, the raw state says the rest.
  active_impaired: "running",
  provisioning: "pending",
  failed: "error",
};

/** DescribeTags takes at most this many ARNs per call. */
const TAGS_PER_CALL = 20;

/** Network load balancers carry their Elastic IPs (and private addresses) per zone; application ones answer by DNS name only. */
function normalizeLoadBalancer(lb: LoadBalancer, region: string, tags: Record<string, string>): NormalizedResource {
  const name = lb.LoadBalancerName ?? "";
  const raw = lb.State?.Code ?? null;
  const addresses = (lb.AvailabilityZones ?? []).flatMap((zone) => zone.LoadBalancerAddresses ?? []);
  const zones = (lb.AvailabilityZones ?? []).map((zone) => zone.ZoneName).filter((zone): zone is string => Boolean(zone));
  return {
    id: lb.LoadBalancerArn ?? name,
    name,
    type: "load_balancer",
    region,
    zone: zones.length === 1 ? (zones[0] ?? null) : null,
    status: (raw && LOAD_BALANCER_STATUS[raw]) || "unknown",
    raw_status: raw,
    size: [lb.Type, lb.Scheme].filter(Boolean).join(" · ") || null,
    public_ips: addresses.map((a) => a.IpAddress).filter((ip): ip is string => Boolean(ip)),
    private_ips: addresses.map((a) => a.PrivateIPv4Address).filter((ip): ip is string => Boolean(ip)),
    tags,
    created_at: iso(lb.CreatedTime),
    console_url: name
      ? awsConsoleUrl(
          region,
          `ec2/home?region=${encodeURIComponent(region)}#LoadBalancer:loadBalancerArn=${encodeURIComponent(lb.LoadBalancerArn ?? name)}`,
        )
      : null,
  };
}

export async function elbClients(session: AwsSession) {
  const { ElasticLoadBalancingV2Client } = await import("@aws-sdk/client-elastic-load-balancing-v2");
  return perRegion(session, (config) => new ElasticLoadBalancingV2Client(config));
}

export async function listLoadBalancers(
  session: AwsSession,
  client: ElasticLoadBalancingV2Client,
  region: string,
): Promise<NormalizedResource[]> {
  const { DescribeLoadBalancersCommand, DescribeTagsCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
  const loadBalancers = await followPages(`DescribeLoadBalancers in ${region}`, async (marker) => {
    const output = await awsCall(
      session,
      { service: "elasticloadbalancing", action: "elasticloadbalancing:DescribeLoadBalancers", region },
      (abortSignal) =>
        client.send(new DescribeLoadBalancersCommand({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
    );
    return { items: output.LoadBalancers ?? [], next: output.NextMarker || undefined };
  });
  // Tags are not part of DescribeLoadBalancers: one DescribeTags per 20 load balancers.
  const arns = loadBalancers.map((lb) => lb.LoadBalancerArn).filter((arn): arn is string => Boolean(arn));
  const batches = Array.from({ length: Math.ceil(arns.length / TAGS_PER_CALL) }, (_, i) =>
    arns.slice(i * TAGS_PER_CALL, (i + 1) * TAGS_PER_CALL),
  );
  const tagged = await mapLimit(batches, DESCRIBE_CONCURRENCY, async (ResourceArns) => {
    const output = await awsCall(
      session,
      { service: "elasticloadbalancing", action: "elasticloadbalancing:DescribeTags", region },
      (abortSignal) => client.send(new DescribeTagsCommand({ ResourceArns }), { abortSignal }),
    );
    return output.TagDescriptions ?? [];
  });
  const tagsByArn = new Map(tagged.flat().map((d) => [d.ResourceArn ?? "", awsTags(d.Tags)]));
  return loadBalancers.map((lb) => normalizeLoadBalancer(lb, region, tagsByArn.get(lb.LoadBalancerArn ?? "") ?? {}));
}
