export { OrgPageSkeleton as default } from "@/components/org-page-skeleton";
