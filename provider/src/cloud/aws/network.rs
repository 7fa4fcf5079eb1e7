//! [`NetworkApi`] on EC2: VPCs, subnets, gateways, Elastic IPs, route
//! tables and security groups, read with one tag-filtered describe per
//! object kind and created with their tags in the same call.

use std::future::Future;

use async_trait::async_trait;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AvailabilityZoneState, ConnectivityType, DomainType, Filter,
    IpPermission, IpRange, NatGatewayState, ResourceType, Tag, TagSpecification, UserIdGroupPair,
    VpcAttributeName,
};
use aws_smithy_runtime_api::client::result::SdkError;

use super::{Gate, map_err};
use crate::cloud::{
    CloudError, CloudResult, ElasticIp, Interface, InternetGateway, NatGateway, NatState,
    NetworkApi, Route, RouteTable, RouteTableAssociation, RouteTarget, Rule, RulePeer,
    SecurityGroup, Subnet, TAG_STACK, Tags, Vpc,
};

/// Sends every page of a paginated request and collects the pages, counting
/// each page as one call (each page is one request to AWS).
macro_rules! all_pages {
    ($net:expr, $request:expr, $kind:expr, $id:expr) => {{
        let mut stream = $request.into_paginator().send();
        let mut pages = Vec::new();
        loop {
            let permit = $net.gate.enter().await;
            let Some(page) = stream.next().await else {
                break;
            };
            drop(permit);
            pages.push(page.map_err(|e| map_err(e, $kind, $id))?);
        }
        pages
    }};
}

/// Points a CreateRoute or ReplaceRoute request (two builder types with the
/// same setters) at `target`; the implicit local route cannot be set.
macro_rules! route_to {
    ($request:ident, $target:expr, $id:expr) => {
        match $target {
            RouteTarget::InternetGateway(igw) => Ok($request.gateway_id(igw)),
            RouteTarget::NatGateway(nat) => Ok($request.nat_gateway_id(nat)),
            RouteTarget::Local => Err(CloudError::Service {
                code: "InvalidParameterValue".to_string(),
                message: format!(
                    "route {}: the local route is implicit and cannot be set",
                    $id
                ),
            }),
            // A target we do not manage goes in the field its id prefix
            // names; unknown prefixes in GatewayId (virtual private gateways).
            RouteTarget::Other(id) => Ok(match id.split_once('-').map(|(prefix, _)| prefix) {
                Some("eigw") => $request.egress_only_internet_gateway_id(id),
                Some("i") => $request.instance_id(id),
                Some("eni") => $request.network_interface_id(id),
                Some("pcx") => $request.vpc_peering_connection_id(id),
                Some("tgw") => $request.transit_gateway_id(id),
                _ => $request.gateway_id(id),
            }),
        }
    };
}

/// The EC2 networking calls, on the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsNetwork {
    ec2: aws_sdk_ec2::Client,
    gate: Gate,
}

impl AwsNetwork {
    /// Wraps an EC2 client; its calls pass through `gate`.
    pub fn new(ec2: aws_sdk_ec2::Client, gate: Gate) -> AwsNetwork {
        AwsNetwork { ec2, gate }
    }

    /// Sends one request (a `send()` future, which does nothing until
    /// awaited) while holding a permit of the gate, and maps its error:
    /// `kind` and `id` name the object it is about.
    async fn call<T, E, R>(
        &self,
        request: impl Future<Output = Result<T, SdkError<E, R>>>,
        kind: &'static str,
        id: &str,
    ) -> CloudResult<T>
    where
        E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        let _permit = self.gate.enter().await;
        request.await.map_err(|e| map_err(e, kind, id))
    }

    /// Reads one boolean VPC attribute (one call).
    async fn vpc_attribute(&self, vpc_id: &str, attribute: VpcAttributeName) -> CloudResult<bool> {
        let request = self
            .ec2
            .describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(attribute.clone())
            .send();
        let out = self.call(request, "vpc", vpc_id).await?;
        let value = match attribute {
            VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
            _ => out.enable_dns_support(),
        };
        Ok(value
            .and_then(AttributeBooleanValue::value)
            .unwrap_or(false))
    }

    /// Fills in the DNS flags of a VPC, which describe_vpcs does not return:
    /// two describe_vpc_attribute calls per VPC (a stack has one VPC, so
    /// observe costs 7 + 2 calls). `None` if the VPC vanished meanwhile.
    async fn with_dns(&self, mut vpc: Vpc) -> CloudResult<Option<Vpc>> {
        let (hostnames, support) = futures::join!(
            self.vpc_attribute(&vpc.id, VpcAttributeName::EnableDnsHostnames),
            self.vpc_attribute(&vpc.id, VpcAttributeName::EnableDnsSupport),
        );
        match (hostnames, support) {
            (Ok(hostnames), Ok(support)) => {
                vpc.dns_hostnames = hostnames;
                vpc.dns_support = support;
                Ok(Some(vpc))
            }
            (Err(e), _) | (_, Err(e)) if e.is_not_found() => Ok(None),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }
}

#[async_trait]
impl NetworkApi for AwsNetwork {
    async fn list_vpcs(&self, stack: &str) -> CloudResult<Vec<Vpc>> {
        let request = self.ec2.describe_vpcs().filters(stack_filter(stack));
        let pages = all_pages!(self, request, "vpcs of stack", stack);
        let vpcs = pages
            .iter()
            .flat_map(|p| p.vpcs())
            .map(|v| Vpc {
                id: text(v.vpc_id()),
                cidr_block: text(v.cidr_block()),
                dns_hostnames: false,
                dns_support: true,
                tags: tags_of(v.tags()),
            })
            .filter(|v| in_stack(&v.tags, stack));
        let filled = futures::future::try_join_all(vpcs.map(|v| self.with_dns(v))).await?;
        Ok(filled.into_iter().flatten().collect())
    }

    async fn list_subnets(&self, stack: &str) -> CloudResult<Vec<Subnet>> {
        let request = self.ec2.describe_subnets().filters(stack_filter(stack));
        let pages = all_pages!(self, request, "subnets of stack", stack);
        Ok(pages
            .iter()
            .flat_map(|p| p.subnets())
            .map(|s| Subnet {
                id: text(s.subnet_id()),
                vpc_id: text(s.vpc_id()),
                cidr_block: text(s.cidr_block()),
                availability_zone: text(s.availability_zone()),
                map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                tags: tags_of(s.tags()),
            })
            .filter(|s| in_stack(&s.tags, stack))
            .collect())
    }

    async fn list_internet_gateways(&self, stack: &str) -> CloudResult<Vec<InternetGateway>> {
        let request = self
            .ec2
            .describe_internet_gateways()
            .filters(stack_filter(stack));
        let pages = all_pages!(self, request, "internet gateways of stack", stack);
        let igws = pages.iter().flat_map(|p| p.internet_gateways());
        Ok(igws
            .map(internet_gateway)
            .filter(|g| in_stack(&g.tags, stack))
            .collect())
    }

    async fn list_elastic_ips(&self, stack: &str) -> CloudResult<Vec<ElasticIp>> {
        // DescribeAddresses does not paginate.
        let request = self
            .ec2
            .describe_addresses()
            .filters(stack_filter(stack))
            .send();
        let out = self.call(request, "elastic ips of stack", stack).await?;
        Ok(out
            .addresses()
            .iter()
            .map(|a| ElasticIp {
                allocation_id: text(a.allocation_id()),
                public_ip: a.public_ip().map(str::to_string),
                tags: tags_of(a.tags()),
            })
            .filter(|a| in_stack(&a.tags, stack))
            .collect())
    }

    async fn list_nat_gateways(&self, stack: &str) -> CloudResult<Vec<NatGateway>> {
        let request = self.ec2.describe_nat_gateways().filter(stack_filter(stack));
        let pages = all_pages!(self, request, "nat gateways of stack", stack);
        let nats = pages.iter().flat_map(|p| p.nat_gateways()).map(nat_gateway);
        let gone = |n: &NatGateway| matches!(n.state, NatState::Deleted | NatState::Deleting);
        Ok(nats
            .filter(|n| !gone(n) && in_stack(&n.tags, stack))
            .collect())
    }

    async fn list_route_tables(&self, stack: &str) -> CloudResult<Vec<RouteTable>> {
        let request = self
            .ec2
            .describe_route_tables()
            .filters(stack_filter(stack));
        let pages = all_pages!(self, request, "route tables of stack", stack);
        let tables = pages.iter().flat_map(|p| p.route_tables()).map(route_table);
        Ok(tables.filter(|t| in_stack(&t.tags, stack)).collect())
    }

    async fn list_security_groups(&self, stack: &str) -> CloudResult<Vec<SecurityGroup>> {
        let request = self
            .ec2
            .describe_security_groups()
            .filters(stack_filter(stack));
        let pages = all_pages!(self, request, "security groups of stack", stack);
        Ok(pages
            .iter()
            .flat_map(|p| p.security_groups())
            .map(|g| {
                let ingress = g.ip_permissions().iter().flat_map(|p| rules_of(p, false));
                let egress = g
                    .ip_permissions_egress()
                    .iter()
                    .flat_map(|p| rules_of(p, true));
                let mut rules: Vec<Rule> = ingress.chain(egress).collect();
                rules.sort();
                SecurityGroup {
                    id: text(g.group_id()),
                    name: text(g.group_name()),
                    vpc_id: text(g.vpc_id()),
                    rules,
                    tags: tags_of(g.tags()),
                }
            })
            .filter(|g| in_stack(&g.tags, stack))
            .collect())
    }

    async fn retag(&self, id: &str, set: &Tags, remove: &[String]) -> CloudResult<()> {
        if !set.is_empty() {
            let request = self
                .ec2
                .create_tags()
                .resources(id)
                .set_tags(Some(aws_tags(set)))
                .send();
            self.call(request, "object", id).await?;
        }
        if !remove.is_empty() {
            let keys = remove.iter().map(|k| Tag::builder().key(k).build());
            let request = self
                .ec2
                .delete_tags()
                .resources(id)
                .set_tags(Some(keys.collect()))
                .send();
            self.call(request, "object", id).await?;
        }
        Ok(())
    }

    async fn availability_zones(&self) -> CloudResult<Vec<String>> {
        let available = Filter::builder().name("state").values("available").build();
        let request = self
            .ec2
            .describe_availability_zones()
            .filters(available)
            .send();
        let out = self
            .call(request, "availability zones of region", "current")
            .await?;
        let zones = out.availability_zones().iter().filter(|z| {
            z.state()
                .is_none_or(|s| *s == AvailabilityZoneState::Available)
        });
        let mut names: Vec<String> = zones
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect();
        names.sort();
        Ok(names)
    }

    async fn create_vpc(&self, cidr_block: &str, tags: &Tags) -> CloudResult<Vpc> {
        let request = self
            .ec2
            .create_vpc()
            .cidr_block(cidr_block)
            .tag_specifications(tag_spec(ResourceType::Vpc, tags))
            .send();
        let out = self.call(request, "vpc", cidr_block).await?;
        let vpc = out.vpc().ok_or_else(|| missing("CreateVpc", "vpc"))?;
        Ok(Vpc {
            id: text(vpc.vpc_id()),
            cidr_block: vpc.cidr_block().unwrap_or(cidr_block).to_string(),
            // AWS's defaults for a new VPC; set_vpc_dns changes them.
            dns_hostnames: false,
            dns_support: true,
            tags: tags_or(vpc.tags(), tags),
        })
    }

    async fn set_vpc_dns(&self, vpc_id: &str, hostnames: bool, support: bool) -> CloudResult<()> {
        // ModifyVpcAttribute takes one attribute per call. Support first:
        // AWS refuses hostnames on without support.
        let modify = || self.ec2.modify_vpc_attribute().vpc_id(vpc_id);
        let request = modify().enable_dns_support(boolean(support)).send();
        self.call(request, "vpc", vpc_id).await?;
        let request = modify().enable_dns_hostnames(boolean(hostnames)).send();
        self.call(request, "vpc", vpc_id).await?;
        Ok(())
    }

    async fn delete_vpc(&self, vpc_id: &str) -> CloudResult<()> {
        let request = self.ec2.delete_vpc().vpc_id(vpc_id).send();
        self.call(request, "vpc", vpc_id).await?;
        Ok(())
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        cidr_block: &str,
        availability_zone: &str,
        tags: &Tags,
    ) -> CloudResult<Subnet> {
        let request = self
            .ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr_block)
            .availability_zone(availability_zone)
            .tag_specifications(tag_spec(ResourceType::Subnet, tags))
            .send();
        let out = self.call(request, "vpc", vpc_id).await?;
        let s = out
            .subnet()
            .ok_or_else(|| missing("CreateSubnet", "subnet"))?;
        Ok(Subnet {
            id: text(s.subnet_id()),
            vpc_id: s.vpc_id().unwrap_or(vpc_id).to_string(),
            cidr_block: s.cidr_block().unwrap_or(cidr_block).to_string(),
            availability_zone: s
                .availability_zone()
                .unwrap_or(availability_zone)
                .to_string(),
            map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
            tags: tags_or(s.tags(), tags),
        })
    }

    async fn set_subnet_public_ip(&self, subnet_id: &str, on: bool) -> CloudResult<()> {
        let request = self
            .ec2
            .modify_subnet_attribute()
            .subnet_id(subnet_id)
            .map_public_ip_on_launch(boolean(on))
            .send();
        self.call(request, "subnet", subnet_id).await?;
        Ok(())
    }

    async fn delete_subnet(&self, subnet_id: &str) -> CloudResult<()> {
        let request = self.ec2.delete_subnet().subnet_id(subnet_id).send();
        self.call(request, "subnet", subnet_id).await?;
        Ok(())
    }

    async fn create_internet_gateway(&self, tags: &Tags) -> CloudResult<InternetGateway> {
        let request = self
            .ec2
            .create_internet_gateway()
            .tag_specifications(tag_spec(ResourceType::InternetGateway, tags))
            .send();
        let out = self.call(request, "internet gateway", "new").await?;
        let igw = out.internet_gateway();
        let igw = igw.ok_or_else(|| missing("CreateInternetGateway", "internet gateway"))?;
        let mut gateway = internet_gateway(igw);
        if gateway.tags.is_empty() {
            gateway.tags = tags.clone();
        }
        Ok(gateway)
    }

    async fn attach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .attach_internet_gateway()
            .internet_gateway_id(igw_id)
            .vpc_id(vpc_id)
            .send();
        self.call(request, "internet gateway", igw_id).await?;
        Ok(())
    }

    async fn detach_internet_gateway(&self, igw_id: &str, vpc_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .detach_internet_gateway()
            .internet_gateway_id(igw_id)
            .vpc_id(vpc_id)
            .send();
        self.call(request, "internet gateway", igw_id).await?;
        Ok(())
    }

    async fn delete_internet_gateway(&self, igw_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .delete_internet_gateway()
            .internet_gateway_id(igw_id)
            .send();
        self.call(request, "internet gateway", igw_id).await?;
        Ok(())
    }

    async fn allocate_elastic_ip(&self, tags: &Tags) -> CloudResult<ElasticIp> {
        let request = self
            .ec2
            .allocate_address()
            .domain(DomainType::Vpc)
            .tag_specifications(tag_spec(ResourceType::ElasticIp, tags))
            .send();
        let out = self.call(request, "elastic ip", "new").await?;
        Ok(ElasticIp {
            allocation_id: out
                .allocation_id()
                .ok_or_else(|| missing("AllocateAddress", "allocation id"))?
                .to_string(),
            public_ip: out.public_ip().map(str::to_string),
            tags: tags.clone(),
        })
    }

    async fn release_elastic_ip(&self, allocation_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .release_address()
            .allocation_id(allocation_id)
            .send();
        self.call(request, "elastic ip", allocation_id).await?;
        Ok(())
    }

    async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        tags: &Tags,
    ) -> CloudResult<NatGateway> {
        let request = self
            .ec2
            .create_nat_gateway()
            .subnet_id(subnet_id)
            .allocation_id(allocation_id)
            .connectivity_type(ConnectivityType::Public)
            .tag_specifications(tag_spec(ResourceType::Natgateway, tags))
            .send();
        let id = format!("{subnet_id} / {allocation_id}");
        let out = self.call(request, "subnet or elastic ip", &id).await?;
        let nat = out
            .nat_gateway()
            .ok_or_else(|| missing("CreateNatGateway", "nat gateway"))?;
        let mut gateway = nat_gateway(nat);
        if gateway.subnet_id.is_empty() {
            gateway.subnet_id = subnet_id.to_string();
        }
        if gateway.allocation_id.is_none() {
            gateway.allocation_id = Some(allocation_id.to_string());
        }
        if gateway.tags.is_empty() {
            gateway.tags = tags.clone();
        }
        Ok(gateway)
    }

    async fn get_nat_gateway(&self, nat_id: &str) -> CloudResult<NatGateway> {
        let request = self
            .ec2
            .describe_nat_gateways()
            .nat_gateway_ids(nat_id)
            .send();
        let out = self.call(request, "nat gateway", nat_id).await?;
        // A deleted NAT gateway stays listed for a while; like the Terraform
        // AWS provider's finder, treat it as gone.
        let mut nats = out.nat_gateways().iter().map(nat_gateway);
        let nat = nats.find(|n| n.id == nat_id && n.state != NatState::Deleted);
        nat.ok_or_else(|| CloudError::NotFound {
            kind: "nat gateway",
            id: nat_id.to_string(),
        })
    }

    async fn delete_nat_gateway(&self, nat_id: &str) -> CloudResult<()> {
        let request = self.ec2.delete_nat_gateway().nat_gateway_id(nat_id).send();
        self.call(request, "nat gateway", nat_id).await?;
        Ok(())
    }

    async fn create_route_table(&self, vpc_id: &str, tags: &Tags) -> CloudResult<RouteTable> {
        let request = self
            .ec2
            .create_route_table()
            .vpc_id(vpc_id)
            .tag_specifications(tag_spec(ResourceType::RouteTable, tags))
            .send();
        let out = self.call(request, "vpc", vpc_id).await?;
        let rt = out.route_table();
        let mut table = route_table(rt.ok_or_else(|| missing("CreateRouteTable", "route table"))?);
        if table.vpc_id.is_empty() {
            table.vpc_id = vpc_id.to_string();
        }
        if table.tags.is_empty() {
            table.tags = tags.clone();
        }
        Ok(table)
    }

    async fn delete_route_table(&self, route_table_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .delete_route_table()
            .route_table_id(route_table_id)
            .send();
        self.call(request, "route table", route_table_id).await?;
        Ok(())
    }

    async fn create_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()> {
        let id = format!("{route_table_id} {destination}");
        let request = self
            .ec2
            .create_route()
            .route_table_id(route_table_id)
            .destination_cidr_block(destination);
        let request = route_to!(request, target, id)?.send();
        self.call(request, "route table", route_table_id).await?;
        Ok(())
    }

    async fn replace_route(
        &self,
        route_table_id: &str,
        destination: &str,
        target: &RouteTarget,
    ) -> CloudResult<()> {
        let id = format!("{route_table_id} {destination}");
        let request = self
            .ec2
            .replace_route()
            .route_table_id(route_table_id)
            .destination_cidr_block(destination);
        let request = route_to!(request, target, id)?.send();
        self.call(request, "route", &id).await?;
        Ok(())
    }

    async fn delete_route(&self, route_table_id: &str, destination: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .delete_route()
            .route_table_id(route_table_id)
            .destination_cidr_block(destination)
            .send();
        let id = format!("{route_table_id} {destination}");
        self.call(request, "route", &id).await?;
        Ok(())
    }

    async fn associate_route_table(
        &self,
        route_table_id: &str,
        subnet_id: &str,
    ) -> CloudResult<String> {
        let request = self
            .ec2
            .associate_route_table()
            .route_table_id(route_table_id)
            .subnet_id(subnet_id)
            .send();
        let id = format!("{route_table_id} / {subnet_id}");
        let out = self.call(request, "route table or subnet", &id).await?;
        Ok(out
            .association_id()
            .ok_or_else(|| missing("AssociateRouteTable", "association id"))?
            .to_string())
    }

    async fn disassociate_route_table(&self, association_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .disassociate_route_table()
            .association_id(association_id)
            .send();
        let kind = "route table association";
        self.call(request, kind, association_id).await?;
        Ok(())
    }

    async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> CloudResult<SecurityGroup> {
        let request = self
            .ec2
            .create_security_group()
            .vpc_id(vpc_id)
            .group_name(name)
            .description(description)
            .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags))
            .send();
        let out = self.call(request, "vpc", vpc_id).await?;
        Ok(SecurityGroup {
            id: out
                .group_id()
                .ok_or_else(|| missing("CreateSecurityGroup", "group id"))?
                .to_string(),
            name: name.to_string(),
            vpc_id: vpc_id.to_string(),
            // The allow-all egress rule AWS gives every new VPC group.
            rules: vec![Rule {
                egress: true,
                protocol: "-1".to_string(),
                from_port: -1,
                to_port: -1,
                peer: RulePeer::Cidr("0.0.0.0/0".to_string()),
                description: String::new(),
            }],
            tags: tags_or(out.tags(), tags),
        })
    }

    async fn delete_security_group(&self, group_id: &str) -> CloudResult<()> {
        let request = self.ec2.delete_security_group().group_id(group_id).send();
        self.call(request, "security group", group_id).await?;
        Ok(())
    }

    async fn authorize_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()> {
        let (permission, id) = (permission_of(rule), rule_id(group_id, rule));
        if rule.egress {
            let request = self
                .ec2
                .authorize_security_group_egress()
                .group_id(group_id)
                .ip_permissions(permission)
                .send();
            self.call(request, "security group rule", &id).await?;
        } else {
            let request = self
                .ec2
                .authorize_security_group_ingress()
                .group_id(group_id)
                .ip_permissions(permission)
                .send();
            self.call(request, "security group rule", &id).await?;
        }
        Ok(())
    }

    async fn revoke_rule(&self, group_id: &str, rule: &Rule) -> CloudResult<()> {
        let (permission, id) = (permission_of(rule), rule_id(group_id, rule));
        let unknown = if rule.egress {
            let request = self
                .ec2
                .revoke_security_group_egress()
                .group_id(group_id)
                .ip_permissions(permission)
                .send();
            let out = self.call(request, "security group rule", &id).await?;
            !out.unknown_ip_permissions().is_empty()
        } else {
            let request = self
                .ec2
                .revoke_security_group_ingress()
                .group_id(group_id)
                .ip_permissions(permission)
                .send();
            let out = self.call(request, "security group rule", &id).await?;
            !out.unknown_ip_permissions().is_empty()
        };
        // AWS may answer a revoke of a rule that does not exist with success
        // and the rule listed as unknown, rather than an error.
        if unknown {
            return Err(CloudError::NotFound {
                kind: "security group rule",
                id,
            });
        }
        Ok(())
    }

    async fn subnet_interfaces(&self, subnet_id: &str) -> CloudResult<Vec<Interface>> {
        let in_subnet = Filter::builder()
            .name("subnet-id")
            .values(subnet_id)
            .build();
        let request = self.ec2.describe_network_interfaces().filters(in_subnet);
        let pages = all_pages!(self, request, "network interfaces of subnet", subnet_id);
        let mut found: Vec<Interface> = pages
            .iter()
            .flat_map(|p| p.network_interfaces())
            .map(|i| Interface {
                id: text(i.network_interface_id()),
                subnet_id: text(i.subnet_id()),
                in_use: i.status().is_none_or(|s| s.as_str() != "available"),
                description: text(i.description()),
                tags: tags_of(i.tag_set()),
            })
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn subnet_association(&self, subnet_id: &str) -> CloudResult<Option<String>> {
        let in_subnet = Filter::builder()
            .name("association.subnet-id")
            .values(subnet_id)
            .build();
        let request = self.ec2.describe_route_tables().filters(in_subnet).send();
        let kind = "route tables of subnet";
        let out = self.call(request, kind, subnet_id).await?;
        let mut all = out.route_tables().iter().flat_map(|rt| rt.associations());
        let explicit = all.find(|a| a.subnet_id() == Some(subnet_id) && !a.main().unwrap_or(false));
        Ok(explicit.and_then(|a| a.route_table_association_id().map(str::to_string)))
    }

    async fn delete_interface(&self, interface_id: &str) -> CloudResult<()> {
        let request = self
            .ec2
            .delete_network_interface()
            .network_interface_id(interface_id)
            .send();
        self.call(request, "network interface", interface_id)
            .await?;
        Ok(())
    }
}

/// The error for a successful answer that lacks what it must contain.
fn missing(operation: &str, what: &str) -> CloudError {
    CloudError::Service {
        code: "IncompleteResponse".to_string(),
        message: format!("{operation} answered without the {what}"),
    }
}

/// The server-side filter on the stack tag.
fn stack_filter(stack: &str) -> Filter {
    Filter::builder()
        .name(format!("tag:{TAG_STACK}"))
        .values(stack)
        .build()
}

/// Whether an object carries the stack tag. The describes already filter on
/// it server-side; checking again costs nothing and keeps other stacks out
/// where a filter is ignored (moto ignores tag filters on DescribeNatGateways).
fn in_stack(tags: &Tags, stack: &str) -> bool {
    tags.get(TAG_STACK).is_some_and(|s| s == stack)
}

/// Tags to set on an object in its create call.
fn tag_spec(resource: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource)
        .set_tags(Some(aws_tags(tags)))
        .build()
}

/// Tags as AWS takes them.
fn aws_tags(tags: &Tags) -> Vec<Tag> {
    let tag = |(k, v): (&String, &String)| Tag::builder().key(k).value(v).build();
    tags.iter().map(tag).collect()
}

/// AWS tags as a map (a key without a value maps to "").
fn tags_of(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// The tags a create answered with, or those we sent if it echoed none.
fn tags_or(answered: &[Tag], sent: &Tags) -> Tags {
    if answered.is_empty() {
        sent.clone()
    } else {
        tags_of(answered)
    }
}

/// An optional string field, empty when absent.
fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

fn boolean(value: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(value).build()
}

fn internet_gateway(igw: &aws_sdk_ec2::types::InternetGateway) -> InternetGateway {
    InternetGateway {
        id: text(igw.internet_gateway_id()),
        attached_vpc_ids: igw
            .attachments()
            .iter()
            .filter_map(|a| a.vpc_id().map(str::to_string))
            .collect(),
        tags: tags_of(igw.tags()),
    }
}

fn nat_gateway(nat: &aws_sdk_ec2::types::NatGateway) -> NatGateway {
    NatGateway {
        id: text(nat.nat_gateway_id()),
        created: nat
            .create_time()
            .and_then(|t| std::time::SystemTime::try_from(*t).ok()),
        subnet_id: text(nat.subnet_id()),
        allocation_id: nat
            .nat_gateway_addresses()
            .iter()
            .find_map(|a| a.allocation_id().map(str::to_string)),
        state: match nat.state() {
            Some(NatGatewayState::Available) => NatState::Available,
            Some(NatGatewayState::Deleting) => NatState::Deleting,
            Some(NatGatewayState::Deleted) => NatState::Deleted,
            Some(NatGatewayState::Failed) => NatState::Failed,
            // Pending, absent, or a state newer than this SDK: not usable yet.
            _ => NatState::Pending,
        },
        tags: tags_of(nat.tags()),
    }
}

fn route_table(rt: &aws_sdk_ec2::types::RouteTable) -> RouteTable {
    RouteTable {
        id: text(rt.route_table_id()),
        vpc_id: text(rt.vpc_id()),
        routes: rt
            .routes()
            .iter()
            .map(|r| Route {
                destination: text(
                    r.destination_cidr_block()
                        .or(r.destination_ipv6_cidr_block())
                        .or(r.destination_prefix_list_id()),
                ),
                target: route_target(r),
            })
            .collect(),
        associations: rt
            .associations()
            .iter()
            .map(|a| RouteTableAssociation {
                id: text(a.route_table_association_id()),
                subnet_id: if a.main().unwrap_or(false) {
                    None
                } else {
                    a.subnet_id().map(str::to_string)
                },
            })
            .collect(),
        tags: tags_of(rt.tags()),
    }
}

fn route_target(route: &aws_sdk_ec2::types::Route) -> RouteTarget {
    match (route.gateway_id(), route.nat_gateway_id()) {
        (Some("local"), _) => RouteTarget::Local,
        (Some(igw), _) if igw.starts_with("igw-") => RouteTarget::InternetGateway(igw.to_string()),
        (_, Some(nat)) => RouteTarget::NatGateway(nat.to_string()),
        (gateway, None) => RouteTarget::Other(text(
            gateway
                .or(route.instance_id())
                .or(route.network_interface_id())
                .or(route.vpc_peering_connection_id())
                .or(route.transit_gateway_id())
                .or(route.egress_only_internet_gateway_id())
                .or(route.local_gateway_id())
                .or(route.carrier_gateway_id())
                .or(route.core_network_arn()),
        )),
    }
}

/// One rule per peer of a permission (IPv6 ranges and prefix lists are not
/// used by this provider and left out).
fn rules_of(permission: &IpPermission, egress: bool) -> Vec<Rule> {
    let protocol = permission.ip_protocol().unwrap_or("-1").to_string();
    let (from_port, to_port) = if protocol == "-1" {
        (-1, -1)
    } else {
        (
            permission.from_port().unwrap_or(-1),
            permission.to_port().unwrap_or(-1),
        )
    };
    let rule = |peer: RulePeer, description: Option<&str>| Rule {
        egress,
        protocol: protocol.clone(),
        from_port,
        to_port,
        peer,
        description: text(description),
    };
    let groups = permission.user_id_group_pairs().iter().filter_map(|pair| {
        let group = pair.group_id()?;
        Some(rule(RulePeer::Group(group.to_string()), pair.description()))
    });
    let cidrs = permission.ip_ranges().iter().filter_map(|range| {
        let cidr = range.cidr_ip()?;
        Some(rule(RulePeer::Cidr(cidr.to_string()), range.description()))
    });
    groups.chain(cidrs).collect()
}

/// The one-peer permission that authorizes or revokes `rule`.
fn permission_of(rule: &Rule) -> IpPermission {
    let description = (!rule.description.is_empty()).then(|| rule.description.clone());
    let mut permission = IpPermission::builder().ip_protocol(&rule.protocol);
    if rule.protocol != "-1" {
        permission = permission.from_port(rule.from_port).to_port(rule.to_port);
    }
    match &rule.peer {
        RulePeer::Group(group) => permission
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(group)
                    .set_description(description)
                    .build(),
            )
            .build(),
        RulePeer::Cidr(cidr) => permission
            .ip_ranges(
                IpRange::builder()
                    .cidr_ip(cidr)
                    .set_description(description)
                    .build(),
            )
            .build(),
    }
}

/// A group's rule in a few words, for error messages.
fn rule_id(group_id: &str, rule: &Rule) -> String {
    let direction = if rule.egress { "egress" } else { "ingress" };
    let (RulePeer::Group(peer) | RulePeer::Cidr(peer)) = &rule.peer;
    let (protocol, from, to) = (&rule.protocol, rule.from_port, rule.to_port);
    format!("{group_id} {direction} {protocol} {from}-{to} {peer}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::aws::MAX_MESSAGE;
    use aws_sdk_ec2::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_ec2::operation::delete_vpc::DeleteVpcError;
    use aws_smithy_runtime_api::client::result::SdkError;

    fn service(code: &str, message: &str) -> SdkError<DeleteVpcError, ()> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(DeleteVpcError::generic(meta), ())
    }

    #[test]
    fn not_found_codes_become_not_found_with_kind_and_id() {
        for code in [
            "InvalidVpcID.NotFound",
            "InvalidAllocationID.NotFound",
            "InvalidAssociationID.NotFound",
            "InvalidRoute.NotFound",
            "InvalidGroup.NotFound",
            "InvalidPermission.NotFound",
            "NatGatewayNotFound",
            "Gateway.NotAttached",
        ] {
            assert_eq!(
                map_err(service(code, "gone"), "vpc", "vpc-1"),
                CloudError::NotFound {
                    kind: "vpc",
                    id: "vpc-1".into()
                },
                "{code}"
            );
        }
    }

    #[test]
    fn in_use_codes_become_dependency_violations() {
        for code in [
            "DependencyViolation",
            "InvalidIPAddress.InUse",
            "InvalidNetworkInterface.InUse",
        ] {
            let err = map_err(service(code, "has dependencies"), "vpc", "vpc-1");
            assert_eq!(
                err,
                CloudError::DependencyViolation("vpc vpc-1: has dependencies".into()),
                "{code}"
            );
        }
    }

    #[test]
    fn throttling_and_other_codes() {
        assert!(matches!(
            map_err(service("RequestLimitExceeded", "slow down"), "vpc", "v"),
            CloudError::Throttled(_)
        ));
        assert!(matches!(
            map_err(service("Throttling", "slow down"), "vpc", "v"),
            CloudError::Throttled(_)
        ));
        assert_eq!(
            map_err(service("InvalidVpcID.Malformed", "bad id"), "vpc", "v"),
            CloudError::Service {
                code: "InvalidVpcID.Malformed".into(),
                message: "bad id".into()
            }
        );
    }

    #[test]
    fn long_messages_are_shortened_to_one_line() {
        let long = format!("first line\n{}", "x".repeat(2000));
        match map_err(service("Oops", &long), "vpc", "v") {
            CloudError::Service { message, .. } => {
                assert!(!message.contains('\n'));
                assert!(message.chars().count() <= MAX_MESSAGE + 3, "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn timeouts_and_transport_failures() {
        let timeout: SdkError<DeleteVpcError, ()> = SdkError::timeout_error("slow");
        assert!(matches!(
            map_err(timeout, "vpc", "v"),
            CloudError::Timeout(_)
        ));
        let dispatch_timeout: SdkError<DeleteVpcError, ()> =
            SdkError::dispatch_failure(ConnectorError::timeout("read timed out".into()));
        assert!(matches!(
            map_err(dispatch_timeout, "vpc", "v"),
            CloudError::Timeout(_)
        ));
        let refused: SdkError<DeleteVpcError, ()> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        match map_err(refused, "vpc", "v") {
            CloudError::Transport(text) => assert!(text.contains("connection refused"), "{text}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn rules_split_per_peer_and_default_ports() {
        let permission = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-1").build())
            .ip_ranges(
                IpRange::builder()
                    .cidr_ip("10.0.0.0/8")
                    .description("vpn")
                    .build(),
            )
            .build();
        let rules = rules_of(&permission, false);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].peer, RulePeer::Group("sg-1".into()));
        assert_eq!(rules[1].peer, RulePeer::Cidr("10.0.0.0/8".into()));
        assert_eq!(rules[1].description, "vpn");
        let all = IpPermission::builder()
            .ip_protocol("-1")
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build();
        let rules = rules_of(&all, true);
        assert_eq!((rules[0].from_port, rules[0].to_port), (-1, -1));
        assert!(rules[0].egress);
        let back = permission_of(&rules[0]);
        assert_eq!(back.from_port(), None);
        assert_eq!(back.ip_protocol(), Some("-1"));
    }
}
