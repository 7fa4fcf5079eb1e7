# The EKS cluster in the private subnets: its IAM roles, OIDC provider for
# service-account roles, access entries for the admins, add-ons and the
# managed node groups that autoscale between min_size and max_size.
locals {
  cluster = {
    version                = var.kubernetes_version
    endpoint_public_access = var.endpoint_public_access
    public_access_cidrs    = var.public_access_cidrs
    admins                 = var.cluster_admins
    addons                 = var.addons
    node_groups            = var.node_groups
  }
}
