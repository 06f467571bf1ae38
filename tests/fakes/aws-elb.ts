// Elastic Load Balancing v2 for the AWS fake (tests/fakes/aws.ts), in the Query protocol (2015-12-01):
// DescribeLoadBalancers in pages of at most PageSize (1–400) with Marker/NextMarker, and DescribeTags
// for at most 20 ARNs, as the ELB API reference documents them. Application load balancers answer by
// DNS name only; network load balancers also carry an Elastic IP per zone.
import { AWS_FAKE_KEY, pageStart, pageToken, queryAnswer, queryServiceRefusal, stsError, xmlEscape, type QueryServiceCall } from "./aws.ts";
import type { FakeResponse } from "./server.ts";

const ELB_NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const STATES = ["active", "active", "provisioning", "active_impaired", "failed"];

/** The load balancer the fake lists at `index` in `region`: even ones are application, odd ones network load balancers. */
export function fakeLoadBalancer(region: string, index: number, account: string) {
  const type = index % 2 === 0 ? "application" : "network";
  const name = `lb-${index}`;
  const arn = `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${type === "application" ? "app" : "net"}/${name}/${index.toString(16).padStart(16, "0")}`;
  return {
    arn,
    name,
    type,
    state: STATES[index % STATES.length]!,
    dnsName: `${name}-${1000 + index}.${region}.elb.amazonaws.com`,
    publicIp: type === "network" ? `198.51.100.${(index % 250) + 1}` : null,
    createdAt: new Date(Date.UTC(2025, 3, 1) + index * 86_400_000).toISOString(),
  };
}

function loadBalancerXml(region: string, index: number, account: string): string {
  const lb = fakeLoadBalancer(region, index, account);
  const address = lb.publicIp
    ? `<LoadBalancerAddresses><member><IpAddress>${lb.publicIp}</IpAddress><AllocationId>eipalloc-${index.toString(16).padStart(8, "0")}</AllocationId></member></LoadBalancerAddresses>`
    : "";
  const zones = `<AvailabilityZones><member><ZoneName>${region}a</ZoneName><SubnetId>subnet-0a${index}</SubnetId>${address}</member></AvailabilityZones>`;
  const groups = lb.type === "application" ? "<SecurityGroups><member>sg-0123456789abcdef0</member></SecurityGroups>" : "";
  return `<member><LoadBalancerArn>${xmlEscape(lb.arn)}</LoadBalancerArn><DNSName>${lb.dnsName}</DNSName><CanonicalHostedZoneId>Z35SXDOTRQ7X7K</CanonicalHostedZoneId><CreatedTime>${lb.createdAt}</CreatedTime><LoadBalancerName>${lb.name}</LoadBalancerName><Scheme>internet-facing</Scheme><VpcId>vpc-0a1b2c3d</VpcId><State><Code>${lb.state}</Code></State><Type>${lb.type}</Type>${zones}${groups}<IpAddressType>ipv4</IpAddressType></member>`;
}

export function answerElb(call: QueryServiceCall): FakeResponse {
  const { form, action, region, caller, aws } = call;
  const refused = queryServiceRefusal(call, {
    ns: ELB_NS,
    version: "2015-12-01",
    actions: ["DescribeLoadBalancers", "DescribeTags"],
    iamPrefix: "elasticloadbalancing",
  });
  if (refused) return refused;
  const elbError = (code: string, message: string) => stsError(400, code, message, "Sender", ELB_NS);
  const account = caller.account ?? AWS_FAKE_KEY.account;
  const total = aws.regions.includes(region) ? aws.loadBalancers : 0;

  if (action === "DescribeTags") {
    const arns = [...form.entries()].filter(([key]) => /^ResourceArns\.member\.\d+$/.test(key)).map(([, value]) => value);
    if (arns.length === 0 || arns.length > 20)
      return elbError(
        "ValidationError",
        "1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20",
      );
    const known = new Map(Array.from({ length: total }, (_, i) => [fakeLoadBalancer(region, i, account).arn, i]));
    const unknown = arns.find((arn) => !known.has(arn));
    if (unknown) return elbError("LoadBalancerNotFound", `Load balancers '[${unknown}]' not found`);
    const descriptions = arns
      .map((arn) => {
        const index = known.get(arn)!;
        return `<member><ResourceArn>${xmlEscape(arn)}</ResourceArn><Tags><member><Key>env</Key><Value>prod</Value></member><member><Key>team</Key><Value>team-${index % 3}</Value></member></Tags></member>`;
      })
      .join("");
    return queryAnswer(ELB_NS, action, `<TagDescriptions>${descriptions}</TagDescriptions>`);
  }

  const asked = form.has("PageSize") ? Number(form.get("PageSize")) : 400;
  if (!Number.isInteger(asked) || asked < 1 || asked > 400)
    return elbError(
      "ValidationError",
      "1 validation error detected: Value at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400",
    );
  const start = pageStart(form.get("Marker"), region);
  if (start === null) return elbError("ValidationError", "Invalid Marker");
  const end = Math.min(total, start + Math.min(asked, call.pageSize));
  const items = Array.from({ length: end - start }, (_, n) => loadBalancerXml(region, start + n, account)).join("");
  const next = end < total ? `<NextMarker>${pageToken(region, end)}</NextMarker>` : "";
  return queryAnswer(ELB_NS, "DescribeLoadBalancers", `<LoadBalancers>${items}</LoadBalancers>${next}`);
}
