//! What the engine may ask of IAM and EKS: the cluster's roles, the
//! cluster, its OIDC provider, managed node groups, add-ons and access
//! entries. Plain types only; the SDK stays behind [`super::aws`].

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;

use super::{CloudResult, Tags};

/// An IAM role of a stack, with the managed policies attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// The role name (unique in the account).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Its path (`/todo/<region>/<stack>/`).
    pub path: String,
    /// The AWS service its trust policy lets assume it (`eks.amazonaws.com`,
    /// `ec2.amazonaws.com`); empty when the trust policy is anything else.
    pub service: String,
    /// ARNs of the managed policies attached to it.
    pub policies: Vec<String>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
    /// Its inline policy [`INLINE_POLICY`] (JSON), read only for roles
    /// tagged [`TAG_INLINE_POLICY`] (the others are never given one).
    pub inline_policy: Option<String>,
}

/// The name of the one inline policy a stack's role may have.
pub const INLINE_POLICY: &str = "todo-stack";

/// Tag on a role the stack gives an inline policy: only those roles' inline
/// policies are read (one call), so the others cost nothing to observe.
pub const TAG_INLINE_POLICY: &str = "todo:inline-policy";

/// What a new role is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRole {
    /// Path (`/todo/<region>/<stack>/`).
    pub path: String,
    /// Name.
    pub name: String,
    /// The service its trust policy lets assume it.
    pub service: String,
    /// Description.
    pub description: String,
}

/// An IAM OpenID Connect provider (for a cluster's service accounts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    /// Its ARN.
    pub arn: String,
    /// The issuer URL without `https://` (as IAM reports it).
    pub url: String,
    /// Audiences (`sts.amazonaws.com`).
    pub client_ids: Vec<String>,
    /// Server certificate thumbprints.
    pub thumbprints: Vec<String>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// IAM: roles and OIDC providers. IAM is global: names carry the region.
#[async_trait]
pub trait IamApi: Send + Sync + 'static {
    /// The roles under `path` (a prefix), with tags and attached policies.
    async fn list_roles(&self, path: &str) -> CloudResult<Vec<Role>>;
    /// Creates a role assumable by `role.service`, with `tags`.
    async fn create_role(&self, role: &NewRole, tags: &Tags) -> CloudResult<Role>;
    /// Makes `service` the only principal that may assume the role `name`.
    async fn update_trust(&self, name: &str, service: &str) -> CloudResult<()>;
    /// Attaches the managed policy `policy_arn` to the role `name`.
    async fn attach_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()>;
    /// Detaches the managed policy `policy_arn` from the role `name`.
    async fn detach_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()>;
    /// Sets the role's inline policy [`INLINE_POLICY`] to `document`.
    async fn put_inline_policy(&self, name: &str, document: &str) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the role's tags.
    async fn retag_role(&self, name: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
    /// Deletes the role: detaches its policies, removes it from instance
    /// profiles, deletes it. `NotFound` when it does not exist.
    async fn delete_role(&self, name: &str) -> CloudResult<()>;
    /// The OIDC providers of EKS issuers in this region tagged
    /// `todo:stack = stack`.
    async fn list_oidc_providers(&self, stack: &str) -> CloudResult<Vec<OidcProvider>>;
    /// Creates an OIDC provider for `url` (`https://...`) with audience
    /// `sts.amazonaws.com`.
    async fn create_oidc_provider(
        &self,
        url: &str,
        thumbprints: &[String],
        tags: &Tags,
    ) -> CloudResult<OidcProvider>;
    /// Sets `set` and removes `remove` from the provider's tags.
    async fn retag_oidc_provider(
        &self,
        arn: &str,
        set: &Tags,
        remove: &[String],
    ) -> CloudResult<()>;
    /// Deletes the OIDC provider.
    async fn delete_oidc_provider(&self, arn: &str) -> CloudResult<()>;
}

/// Where a cluster, node group or add-on stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EksStatus {
    /// Being created.
    Creating,
    /// Ready.
    Active,
    /// Being updated.
    Updating,
    /// Being deleted.
    Deleting,
    /// Creation or an update failed (`CREATE_FAILED`, `DEGRADED`, ...).
    Failed(String),
}

/// Control-plane endpoint access.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointAccess {
    /// Reachable from the VPC.
    pub private: bool,
    /// Reachable from the internet.
    pub public: bool,
    /// CIDRs allowed to reach the public endpoint.
    pub public_cidrs: Vec<String>,
}

/// An EKS cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Kubernetes version (`1.31`).
    pub version: String,
    /// Status.
    pub status: EksStatus,
    /// The cluster role's ARN.
    pub role_arn: String,
    /// Its subnets.
    pub subnet_ids: Vec<String>,
    /// The security groups given at create.
    pub security_group_ids: Vec<String>,
    /// The security group EKS made for it.
    pub cluster_security_group_id: Option<String>,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Endpoint access.
    pub access: EndpointAccess,
    /// Enabled control-plane log types.
    pub log_types: Vec<String>,
    /// The KMS key that encrypts Kubernetes secrets.
    pub encryption_key_arn: Option<String>,
    /// `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP` (None: not reported).
    pub authentication_mode: Option<String>,
    /// The API server URL.
    pub endpoint: Option<String>,
    /// The base64 CA bundle.
    pub certificate_authority: Option<String>,
    /// The OIDC issuer URL (`https://...`).
    pub oidc_issuer: Option<String>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// What a new cluster is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCluster {
    /// Name.
    pub name: String,
    /// Kubernetes version.
    pub version: String,
    /// The cluster role's ARN.
    pub role_arn: String,
    /// Subnets.
    pub subnet_ids: Vec<String>,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// Endpoint access.
    pub access: EndpointAccess,
    /// Control-plane log types to enable.
    pub log_types: Vec<String>,
    /// KMS key for envelope encryption of secrets.
    pub encryption_key_arn: String,
    /// Authentication mode (`API`).
    pub authentication_mode: String,
}

/// A Kubernetes taint of a node group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value (may be empty).
    pub value: String,
    /// `NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE`.
    pub effect: String,
}

/// Node counts of a node group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scaling {
    /// Minimum.
    pub min: i32,
    /// Maximum.
    pub max: i32,
    /// Desired.
    pub desired: i32,
}

/// A managed node group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeGroup {
    /// Its cluster's name.
    pub cluster: String,
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Status.
    pub status: EksStatus,
    /// Kubernetes version.
    pub version: Option<String>,
    /// The node role's ARN.
    pub node_role_arn: String,
    /// Subnets.
    pub subnet_ids: Vec<String>,
    /// Instance types.
    pub instance_types: Vec<String>,
    /// `ON_DEMAND` or `SPOT`.
    pub capacity_type: String,
    /// AMI type (`AL2023_x86_64_STANDARD`, ...).
    pub ami_type: String,
    /// Root volume size in GiB.
    pub disk_size: Option<i32>,
    /// Node counts.
    pub scaling: Scaling,
    /// Kubernetes labels.
    pub labels: BTreeMap<String, String>,
    /// Kubernetes taints.
    pub taints: Vec<Taint>,
    /// Nodes updated at once during a version update, in percent (None:
    /// not reported).
    pub max_unavailable_percentage: Option<i32>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// What a new node group is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNodeGroup {
    /// Its cluster's name.
    pub cluster: String,
    /// Name.
    pub name: String,
    /// Kubernetes version (the cluster's).
    pub version: String,
    /// The node role's ARN.
    pub node_role_arn: String,
    /// Subnets.
    pub subnet_ids: Vec<String>,
    /// Instance types.
    pub instance_types: Vec<String>,
    /// `ON_DEMAND` or `SPOT`.
    pub capacity_type: String,
    /// AMI type.
    pub ami_type: String,
    /// Root volume size in GiB.
    pub disk_size: i32,
    /// Node counts (always sent).
    pub scaling: Scaling,
    /// Kubernetes labels.
    pub labels: BTreeMap<String, String>,
    /// Kubernetes taints.
    pub taints: Vec<Taint>,
    /// Nodes updated at once during a version update, in percent.
    pub max_unavailable_percentage: i32,
}

/// An in-place change of a node group's configuration (one EKS update).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeGroupChange {
    /// New node counts.
    pub scaling: Option<Scaling>,
    /// Labels to add or change.
    pub add_labels: BTreeMap<String, String>,
    /// Label keys to remove.
    pub remove_labels: Vec<String>,
    /// Taints to add or change.
    pub add_taints: Vec<Taint>,
    /// Taints to remove.
    pub remove_taints: Vec<Taint>,
    /// New max unavailable percentage.
    pub max_unavailable_percentage: Option<i32>,
}

/// An EKS add-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addon {
    /// Its cluster's name.
    pub cluster: String,
    /// Name (`vpc-cni`, `coredns`, `kube-proxy`, `aws-ebs-csi-driver`).
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Version (`v1.18.3-eksbuild.1`).
    pub version: String,
    /// Status.
    pub status: EksStatus,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// An access entry of a cluster, with the access policies associated to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// Its cluster's name.
    pub cluster: String,
    /// The IAM principal it admits.
    pub principal_arn: String,
    /// Its own ARN.
    pub arn: String,
    /// ARNs of the access policies associated with it, cluster-wide.
    pub policies: Vec<String>,
    /// Tags.
    pub tags: Tags,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// The EKS cluster-admin access policy.
pub const CLUSTER_ADMIN_POLICY: &str =
    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/// EKS: clusters, node groups, add-ons and access entries. Tags are set
/// and removed on any EKS ARN with [`EksApi::retag`].
#[async_trait]
pub trait EksApi: Send + Sync + 'static {
    /// The cluster `name`, `None` when it does not exist.
    async fn get_cluster(&self, name: &str) -> CloudResult<Option<Cluster>>;
    /// Creates a cluster with `tags`.
    async fn create_cluster(&self, cluster: &NewCluster, tags: &Tags) -> CloudResult<Cluster>;
    /// Sets endpoint access: the flags and public CIDRs only (EKS refuses
    /// an update that mixes them with subnets).
    async fn update_cluster_access(&self, name: &str, access: &EndpointAccess) -> CloudResult<()>;
    /// Sets the cluster's subnets and security groups (one EKS update).
    async fn update_cluster_subnets(
        &self,
        name: &str,
        subnet_ids: &[String],
        security_group_ids: &[String],
    ) -> CloudResult<()>;
    /// Enables exactly `log_types` (the others are disabled).
    async fn update_cluster_logging(&self, name: &str, log_types: &[String]) -> CloudResult<()>;
    /// Upgrades the control plane to `version` (one minor version up).
    async fn update_cluster_version(&self, name: &str, version: &str) -> CloudResult<()>;
    /// Deletes the cluster (its node groups must be gone).
    async fn delete_cluster(&self, name: &str) -> CloudResult<()>;

    /// Every node group of the cluster (empty when the cluster does not
    /// exist).
    async fn list_node_groups(&self, cluster: &str) -> CloudResult<Vec<NodeGroup>>;
    /// One node group, `None` when it does not exist.
    async fn get_node_group(&self, cluster: &str, name: &str) -> CloudResult<Option<NodeGroup>>;
    /// Creates a node group with `tags`.
    async fn create_node_group(&self, group: &NewNodeGroup, tags: &Tags) -> CloudResult<NodeGroup>;
    /// Changes counts, labels, taints or update settings in place.
    async fn update_node_group(
        &self,
        cluster: &str,
        name: &str,
        change: &NodeGroupChange,
    ) -> CloudResult<()>;
    /// Upgrades the node group to `version` (the cluster's).
    async fn update_node_group_version(
        &self,
        cluster: &str,
        name: &str,
        version: &str,
    ) -> CloudResult<()>;
    /// Deletes a node group.
    async fn delete_node_group(&self, cluster: &str, name: &str) -> CloudResult<()>;

    /// Every add-on of the cluster (empty when the cluster does not exist).
    async fn list_addons(&self, cluster: &str) -> CloudResult<Vec<Addon>>;
    /// One add-on, `None` when it does not exist.
    async fn get_addon(&self, cluster: &str, name: &str) -> CloudResult<Option<Addon>>;
    /// The default version of add-on `name` for Kubernetes `k8s_version`.
    async fn default_addon_version(&self, name: &str, k8s_version: &str) -> CloudResult<String>;
    /// Creates an add-on at `version` with `tags` (conflicts: overwrite).
    async fn create_addon(
        &self,
        cluster: &str,
        name: &str,
        version: &str,
        tags: &Tags,
    ) -> CloudResult<Addon>;
    /// Moves an add-on to `version`.
    async fn update_addon(&self, cluster: &str, name: &str, version: &str) -> CloudResult<()>;
    /// Deletes an add-on.
    async fn delete_addon(&self, cluster: &str, name: &str) -> CloudResult<()>;

    /// Every access entry of the cluster with its associated policies
    /// (empty when the cluster does not exist).
    async fn list_access_entries(&self, cluster: &str) -> CloudResult<Vec<AccessEntry>>;
    /// Creates a `STANDARD` access entry for `principal_arn` with `tags`.
    async fn create_access_entry(
        &self,
        cluster: &str,
        principal_arn: &str,
        tags: &Tags,
    ) -> CloudResult<AccessEntry>;
    /// Associates `policy_arn` cluster-wide with the entry.
    async fn associate_access_policy(
        &self,
        cluster: &str,
        principal_arn: &str,
        policy_arn: &str,
    ) -> CloudResult<()>;
    /// Deletes the access entry.
    async fn delete_access_entry(&self, cluster: &str, principal_arn: &str) -> CloudResult<()>;

    /// Sets `set` and removes `remove` from the tags of the EKS object `arn`.
    async fn retag(&self, arn: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
}

/// A load balancer that Kubernetes made for a cluster's Service or Ingress
/// (the in-tree cloud provider: classic ELB tagged
/// `kubernetes.io/cluster/<cluster>`; the AWS Load Balancer Controller:
/// ALB/NLB tagged `elbv2.k8s.aws/cluster = <cluster>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeLoadBalancer {
    /// The ARN (ALB/NLB) or the name (classic ELB).
    pub id: String,
    /// A classic ELB.
    pub classic: bool,
    /// Its security groups.
    pub security_groups: Vec<String>,
}

/// What Kubernetes leaves in a VPC: load balancers and their security
/// groups. Destroy removes them once the cluster is gone, so that the
/// subnets and the VPC can go.
#[async_trait]
pub trait KubeLeftoversApi: Send + Sync + 'static {
    /// The load balancers in `vpc_id` that Kubernetes made for `cluster`.
    async fn list_kube_load_balancers(
        &self,
        vpc_id: &str,
        cluster: &str,
    ) -> CloudResult<Vec<KubeLoadBalancer>>;
    /// Deletes a load balancer (and, for ALB/NLB, its listeners and the
    /// target groups Kubernetes tagged for the cluster). `NotFound` when it
    /// is gone.
    async fn delete_load_balancer(&self, lb: &KubeLoadBalancer, cluster: &str) -> CloudResult<()>;
    /// The security groups in `vpc_id` that Kubernetes made for `cluster`
    /// (tagged `kubernetes.io/cluster/<cluster>` or
    /// `elbv2.k8s.aws/cluster = <cluster>`).
    async fn list_kube_security_groups(
        &self,
        vpc_id: &str,
        cluster: &str,
    ) -> CloudResult<Vec<String>>;
    /// Deletes a security group; `DependencyViolation` while an interface
    /// still uses it.
    async fn delete_kube_security_group(&self, group_id: &str) -> CloudResult<()>;
    /// The VPC of a subnet (for an endpoint whose cluster description omits
    /// it); `None` when the subnet is gone.
    async fn vpc_of_subnet(&self, subnet_id: &str) -> CloudResult<Option<String>>;
}
