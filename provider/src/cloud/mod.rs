//! What the engine may ask of AWS, as traits with two implementations: the
//! real one on the AWS SDK ([`aws`]) and an in-memory one ([`sim`]) with a
//! latency model, fault injection and crash points.
//!
//! Objects are described by our own plain types; SDK types and errors never
//! cross this boundary.

pub mod aws;
pub mod cluster;
pub mod data;
pub mod monitoring;
pub mod sim;

use std::collections::BTreeMap;

use async_trait::async_trait;

/// Tags of an AWS object.
pub type Tags = BTreeMap<String, String>;

/// Tag key naming the stack an object belongs to.
pub const TAG_STACK: &str = "todo:stack";
/// Tag key naming the object's role in the stack (`vpc`, `subnet-public-us-east-1a`, ...).
pub const TAG_COMPONENT: &str = "todo:component";

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// `eni-...`.
    pub id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// Attached to something (`in-use`) rather than `available`.
    pub in_use: bool,
    /// What AWS says made it or uses it (description, requester).
    pub description: String,
    /// Tags.
    pub tags: Tags,
}

/// Why a cloud call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CloudError {
    /// The object does not exist (deletes treat this as done).
    #[error("{kind} {id} not found")]
    NotFound {
        /// The object kind.
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// The object is still in use by another (retried on delete).
    #[error("{0}")]
    DependencyViolation(String),
    /// AWS throttled the call after the SDK's own retries.
    #[error("throttled by AWS: {0}")]
    Throttled(String),
    /// A wait or call ran out of time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The operation was cancelled (Ctrl-C / StopProvider).
    #[error("cancelled")]
    Cancelled,
    /// AWS refused the call.
    #[error("{code}: {message}")]
    Service {
        /// The AWS error code.
        code: String,
        /// The AWS error message.
        message: String,
    },
    /// The call never got an answer (network, endpoint).
    #[error("{0}")]
    Transport(String),
    /// The endpoint does not serve this operation at all (an emulator
    /// answering a bare HTTP 404): never read as "the object is gone".
    #[error("not served by this endpoint: {0}")]
    Unsupported(String),
}

impl CloudError {
    /// Whether the object was not found.
    pub fn is_not_found(&self) -> bool {
        matches!(self, CloudError::NotFound { .. })
    }
}

/// Result of a cloud call.
pub type CloudResult<T> = Result<T, CloudError>;

/// A VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpc {
    /// `vpc-...`.
    pub id: String,
    /// Primary IPv4 CIDR.
    pub cidr_block: String,
    /// DNS hostnames enabled.
    pub dns_hostnames: bool,
    /// DNS resolution enabled.
    pub dns_support: bool,
    /// Tags.
    pub tags: Tags,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    /// `subnet-...`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// IPv4 CIDR.
    pub cidr_block: String,
    /// Availability zone name.
    pub availability_zone: String,
    /// Instances get a public IP.
    pub map_public_ip_on_launch: bool,
    /// Tags.
    pub tags: Tags,
}

/// An internet gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternetGateway {
    /// `igw-...`.
    pub id: String,
    /// VPCs it is attached to.
    pub attached_vpc_ids: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

/// An Elastic IP allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElasticIp {
    /// `eipalloc-...`.
    pub allocation_id: String,
    /// The address.
    pub public_ip: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// A NAT gateway's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatState {
    /// Being created.
    Pending,
    /// Usable.
    Available,
    /// Being deleted.
    Deleting,
    /// Gone (still listed for a while).
    Deleted,
    /// Creation failed.
    Failed,
}

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatGateway {
    /// `nat-...`.
    pub id: String,
    /// When AWS created it.
    pub created: Option<std::time::SystemTime>,
    /// The public subnet it lives in.
    pub subnet_id: String,
    /// Its Elastic IP.
    pub allocation_id: Option<String>,
    /// State.
    pub state: NatState,
    /// Tags.
    pub tags: Tags,
}

/// Where a route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteTarget {
    /// An internet gateway.
    InternetGateway(String),
    /// A NAT gateway.
    NatGateway(String),
    /// The VPC itself (the implicit local route).
    Local,
    /// Something this provider does not manage.
    Other(String),
}

/// One route of a route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Destination CIDR.
    pub destination: String,
    /// Target.
    pub target: RouteTarget,
}

/// A subnet association of a route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTableAssociation {
    /// `rtbassoc-...`.
    pub id: String,
    /// The subnet (none for the main association).
    pub subnet_id: Option<String>,
}

/// A route table with its routes and associations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    /// `rtb-...`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Routes.
    pub routes: Vec<Route>,
    /// Subnet associations.
    pub associations: Vec<RouteTableAssociation>,
    /// Tags.
    pub tags: Tags,
}

/// Where a security group rule lets traffic come from or go to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RulePeer {
    /// Another security group.
    Group(String),
    /// An IPv4 range.
    Cidr(String),
}

/// One security group rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    /// Egress rather than ingress.
    pub egress: bool,
    /// `tcp`, `udp`, `icmp` or `-1` (all).
    pub protocol: String,
    /// First port (-1 for all).
    pub from_port: i32,
    /// Last port (-1 for all).
    pub to_port: i32,
    /// Source or destination.
    pub peer: RulePeer,
    /// Description.
    pub description: String,
}

impl Rule {
    /// Whether two rules allow the same traffic (descriptions aside).
    pub fn same_traffic(&self, other: &Rule) -> bool {
        self.egress == other.egress
            && self.protocol == other.protocol
            && (self.protocol == "-1"
                || (self.from_port == other.from_port && self.to_port == other.to_port))
            && self.peer == other.peer
    }
}

/// A security group with its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    /// `sg-...`.
    pub id: String,
    /// Group name (unique per VPC).
    pub name: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Ingress and egress rules.
    pub rules: Vec<Rule>,
    /// Tags.
    pub tags: Tags,
}

/// The EC2 networking calls the engine makes. Every create takes the tags
/// to set atomically with the object (TagSpecifications), so an object is
/// never untagged, and a crash right after a create leaves an object the
/// next observe finds.
#[async_trait]
pub trait NetworkApi: Send + Sync + 'static {
    /// VPCs tagged `todo:stack = stack` (one describe, plus the two DNS
    /// attributes of each VPC, which DescribeVpcs does not return).
    async fn list_vpcs(&self, stack: &str) -> CloudResult<Vec<Vpc>>;
    /// Subnets tagged with the stack (one describe).
    async fn list_subnets(&self, stack: &str) -> CloudResult<Vec<Subnet>>;
    /// Internet gateways tagged with the stack (one describe).
    async fn list_internet_gateways(&self, stack: &str) -> CloudResult<Vec<InternetGateway>>;
    /// Elastic IPs tagged with the stack (one describe).
    async fn list_elastic_ips(&self, stack: &str) -> CloudResult<Vec<ElasticIp>>;
    /// NAT gateways tagged with the stack that are not deleting or deleted
    /// (one describe).
    async fn list_nat_gateways(&self, stack: &str) -> CloudResult<Vec<NatGateway>>;
    /// Route tables tagged with the stack (one describe).
    async fn list_route_tables(&self, stack: &str) -> CloudResult<Vec<RouteTable>>;
    /// Security groups tagged with the stack, with their rules (one describe).
    async fn list_security_groups(&self, stack: &str) -> CloudResult<Vec<SecurityGroup>>;

    /// Sets `set` and removes `remove` from an EC2 object's tags.
    async fn retag(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;

    /// The availability zone names of the region.
    async fn availability_zones(&self) -> CloudResult<Vec<String>>;

    /// Creates a VPC.
    async fn create_vpc(&self, cidr_block: &str, tags: &Tags) -> CloudResult<Vpc>;
    /// Sets DNS hostnames and DNS support of a VPC.
    async fn set_vpc_dns(&self, vpc_id: &str, hostnames: bool, support: bool) -> CloudResult<()>;
    /// Deletes a VPC.
    async fn delete_vpc(&self, vpc_id: &str) -> CloudResult<()>;

    /// Creates a subnet.
    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr_block: &str,
        availability_zone: &str,
        tags: &Tags,
    ) -> CloudResult<Subnet>;
    /// Sets whether instances launched in the subnet get a public IP.
    async fn set_subnet_public_ip(&self, subnet_id: &str, on: bool) -> CloudResult<()>;
    /// Deletes a subnet.
    async fn delete_subnet(&self, subnet_id: &str) -> CloudResult<()>;

    /// Creates an internet gateway.
    async fn create_internet_gateway(&self, tags: &Tags) -> CloudResult<InternetGateway>;
    /// Attaches an internet gateway to a VPC.
    async fn attach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()>;
    /// Detaches an internet gateway from a VPC.
    async fn detach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()>;
    /// Deletes an internet gateway.
    async fn delete_internet_gateway(&self, igw_id: &str) -> CloudResult<()>;

    /// Allocates an Elastic IP in the VPC domain.
    async fn allocate_elastic_ip(&self, tags: &Tags) -> CloudResult<ElasticIp>;
    /// Releases an Elastic IP.
    async fn release_elastic_ip(&self, allocation_id: &str) -> CloudResult<()>;

    /// Creates a public NAT gateway (it starts `Pending`).
    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        tags: &Tags,
    ) -> CloudResult<NatGateway>;
    /// Reads one NAT gateway (for waiters); `NotFound` once it is gone.
    async fn get_nat_gateway(&self, nat_id: &str) -> CloudResult<NatGateway>;
    /// Deletes a NAT gateway (it goes through `Deleting`).
    async fn delete_nat_gateway(&self, nat_id: &str) -> CloudResult<()>;

    /// Creates a route table.
    async fn create_route_table(&self, vpc_id: &str, tags: &Tags) -> CloudResult<RouteTable>;
    /// Deletes a route table.
    async fn delete_route_table(&self, route_table_id: &str) -> CloudResult<()>;
    /// Creates a route.
    async fn create_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()>;
    /// Points an existing route at another target.
    async fn replace_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()>;
    /// Deletes a route.
    async fn delete_route(&self, route_table_id: &str, destination: &str) -> CloudResult<()>;
    /// Associates a subnet with a route table; returns the association id.
    async fn associate_route_table(
        &self,
        route_table_id: &str,
        subnet_id: &str,
    ) -> CloudResult<String>;
    /// The id of the subnet's explicit route table association, if any.
    async fn subnet_association(&self, subnet_id: &str) -> CloudResult<Option<String>>;
    /// Removes a subnet association.
    async fn disassociate_route_table(&self, association_id: &str) -> CloudResult<()>;

    /// Creates a security group (AWS adds an allow-all egress rule).
    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> CloudResult<SecurityGroup>;
    /// Deletes a security group.
    async fn delete_security_group(&self, group_id: &str) -> CloudResult<()>;
    /// Adds a rule.
    async fn authorize_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()>;
    /// Removes a rule.
    async fn revoke_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()>;

    /// The network interfaces in a subnet (load balancers, Lambda, pods).
    async fn subnet_interfaces(&self, subnet_id: &str) -> CloudResult<Vec<Interface>>;
    /// Deletes a network interface.
    async fn delete_interface(&self, interface_id: &str) -> CloudResult<()>;
}

/// A KMS key's lifecycle state, as far as the engine cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Usable.
    Enabled,
    /// Disabled by someone.
    Disabled,
    /// Scheduled for deletion: never adopted.
    PendingDeletion,
    /// Any other state (creating, importing, unavailable).
    Other,
}

/// A customer-managed KMS key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKey {
    /// Key id (a UUID).
    pub id: String,
    /// Key ARN.
    pub arn: String,
    /// State.
    pub state: KeyState,
    /// Automatic yearly rotation on.
    pub rotation: bool,
    /// Aliases naming it (`alias/...`).
    pub aliases: Vec<String>,
    /// When AWS created it.
    pub created: Option<std::time::SystemTime>,
    /// Tags.
    pub tags: Tags,
    /// Its key policy (JSON), as KMS returns it.
    pub policy: Option<String>,
}

/// The KMS calls the engine makes.
#[async_trait]
pub trait KmsApi: Send + Sync + 'static {
    /// Keys tagged `todo:stack = stack`, with rotation, aliases and (when
    /// `with_policy`) policy, keys
    /// pending deletion left out. `alias` is the stack's alias: where the
    /// tagging API finds nothing (an emulator without it), the key it names
    /// is checked for the tag instead.
    async fn list_keys(
        &self,
        stack: &str,
        alias: &str,
        with_policy: bool,
    ) -> CloudResult<Vec<KmsKey>>;
    /// Creates a symmetric encryption key with the default key policy (the
    /// account root may administer and use it) and `tags`.
    async fn create_key(&self, description: &str, tags: &Tags) -> CloudResult<KmsKey>;
    /// Enables a disabled key.
    async fn enable_key(&self, key_id: &str) -> CloudResult<()>;
    /// Turns automatic rotation on.
    async fn enable_rotation(&self, key_id: &str) -> CloudResult<()>;
    /// Replaces the key's policy with `policy` (JSON).
    async fn put_key_policy(&self, key_id: &str, policy: &str) -> CloudResult<()>;
    /// Points a new alias at the key; `AlreadyExists` when the alias exists.
    async fn create_alias(&self, alias: &str, key_id: &str) -> CloudResult<()>;
    /// The key an alias points at, if the alias exists.
    async fn alias_target(&self, alias: &str) -> CloudResult<Option<String>>;
    /// Deletes an alias.
    async fn delete_alias(&self, alias: &str) -> CloudResult<()>;
    /// Schedules the key's deletion after `days` (7 to 30).
    async fn schedule_deletion(&self, key_id: &str, days: i32) -> CloudResult<()>;
    /// Sets `set` and removes `remove` from the key's tags.
    async fn retag_key(&self, key_id: &str, set: &Tags, remove: &[String]) -> CloudResult<()>;
}
