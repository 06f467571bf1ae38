// AWS resource types beside EC2 instances (issue 15): EBS volumes (ec2:DescribeVolumes), RDS DB
// instances (rds:DescribeDBInstances) and EKS clusters (eks:ListClusters + eks:DescribeCluster), each
// listed per region through the listing's session, each normalised like instances with its console
// page. Only named fields are read: a DB instance's MasterUserSecret and a cluster's certificate never
// are. The RDS and EKS clients load only when their type is listed.
import type { EC2Client, Volume } from "@aws-sdk/client-ec2";
import type { DBInstance, RDSClient } from "@aws-sdk/client-rds";
import type { Cluster, EKSClient } from "@aws-sdk/client-eks";
import { mapLimit } from "../concurrency.ts";
import { awsCall, awsConsoleUrl, awsTags, followPages, sdkClientConfig, withoutSdkLogging, type AwsSession } from "./aws.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

/** What each type needs from IAM, for a partial failure's hint. */
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

/** One RDS client per region, on the listing's session (same agents, endpoint and budget as EC2's). */
export async function rdsClients(session: AwsSession) {
  const { RDSClient } = await import("@aws-sdk/client-rds");
  const clients = new Map<string, RDSClient>();
  return (region: string) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = withoutSdkLogging(new RDSClient(sdkClientConfig(session, region)))));
    return client;
  };
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

/** One EKS client per region, on the listing's session. */
export async function eksClients(session: AwsSession) {
  const { EKSClient } = await import("@aws-sdk/client-eks");
  const clients = new Map<string, EKSClient>();
  return (region: string) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = withoutSdkLogging(new EKSClient(sdkClientConfig(session, region)))));
    return client;
  };
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
