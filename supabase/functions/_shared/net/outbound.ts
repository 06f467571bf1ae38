// Outbound safety for user-supplied endpoints (SSRF). The implementation follows; this
// type is the contract adapters receive.
export type OutboundPolicy = {
  /** Accept http:// (the organization allows plain-http private endpoints). */
  allowHttp: boolean;
  /** Private CIDRs the organization allow-listed (on-premises OpenStack, MinIO); tests list their fakes here. */
  allowedCidrs: string[];
};
