//! What Kubernetes leaves in a VPC, in the in-memory cloud: the load
//! balancers it makes for Services and Ingresses, and their security
//! groups.
//!
//! A load balancer has one in-use network interface in each of its subnets
//! (so EC2 refuses to delete those subnets, and the VPC) and a security
//! group of its own (which EC2 refuses to delete while the load balancer
//! uses it). Deleting the load balancer takes it out of describes at once;
//! its interfaces, and its hold on the group, go only
//! [`LatencyModel::balancer_gone_after`] later, as on AWS.
//!
//! Target groups are not modelled: they hold neither subnets nor VPC.
//!
//! [`LatencyModel::balancer_gone_after`]: super::LatencyModel::balancer_gone_after

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    CloudResult, Entry, Interface, Map, Rule, RulePeer, SecurityGroup, SimCloud, Tags, World,
    insert, not_found,
};
use crate::cloud::aws::balancers::for_cluster;
use crate::cloud::cluster::{KubeLeftoversApi, KubeLoadBalancer};

const ARN_PREFIX: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer";

/// A load balancer Kubernetes made.
#[derive(Debug, Clone)]
struct SimBalancer {
    lb: KubeLoadBalancer,
    vpc_id: String,
    /// Its network interfaces, one per subnet.
    interfaces: Vec<String>,
    tags: Tags,
    /// When its interfaces go (set by the delete).
    gone_at: Option<Instant>,
}

impl SimBalancer {
    /// Deleted: no describe lists it, though it may still hold its
    /// interfaces and security groups.
    fn deleted(&self) -> bool {
        self.gone_at.is_some()
    }
}

/// The load balancers part of the world, by id (ARN or classic name).
#[derive(Debug, Default)]
pub(super) struct Balancers(Map<SimBalancer>);

impl Balancers {
    /// Whether a load balancer not yet gone uses the security group.
    pub(super) fn uses(&self, group_id: &str) -> bool {
        let groups = self.0.values().flat_map(|b| &b.lb.security_groups);
        groups.into_iter().any(|g| g == group_id)
    }

    /// Inventory lines of the load balancers not deleted (their interfaces
    /// are listed as network interfaces until gone).
    pub(super) fn inventory(&self) -> impl Iterator<Item = Entry> + '_ {
        let live = self.0.values().filter(|b| !b.deleted());
        live.map(|b| ("load-balancer", b.lb.id.clone(), b.tags.clone()))
    }
}

impl World {
    /// Drops the load balancers whose time has come, with their network
    /// interfaces.
    pub(super) fn settle_balancers(&mut self) {
        let now = Instant::now();
        let gone = |b: &SimBalancer| b.gone_at.is_some_and(|at| now >= at);
        let ids: Vec<String> = self
            .balancers
            .0
            .values()
            .filter(|b| gone(b))
            .map(|b| b.lb.id.clone())
            .collect();
        for id in ids {
            if let Some(b) = self.balancers.0.remove(&id) {
                for eni in &b.interfaces {
                    self.interfaces.remove(eni);
                }
            }
        }
    }
}

impl SimCloud {
    /// Makes what Kubernetes makes for a `LoadBalancer` Service of cluster
    /// `cluster` (a test helper: no call is counted, nothing is checked):
    /// a load balancer in `subnet_ids` of `vpc_id`, one in-use network
    /// interface in each subnet, and a security group in the VPC that the
    /// load balancer uses. `classic`: a classic ELB as the in-tree cloud
    /// provider makes it, it and its group tagged
    /// `kubernetes.io/cluster/<cluster> = owned`; otherwise an NLB as the
    /// AWS Load Balancer Controller makes it, it and its group tagged
    /// `elbv2.k8s.aws/cluster = <cluster>`. Returns the load balancer's id
    /// (the classic ELB's name, or the NLB's ARN).
    pub fn add_kube_load_balancer(
        &self,
        vpc_id: &str,
        subnet_ids: &[&str],
        cluster: &str,
        classic: bool,
    ) -> String {
        self.direct(|w| {
            let serial = w.id("lb");
            let hex = serial.trim_start_matches("lb-");
            let (id, description, tags) = if classic {
                let name = format!("a{hex:0>31}");
                let tags = Tags::from([
                    (format!("kubernetes.io/cluster/{cluster}"), "owned".into()),
                    ("kubernetes.io/service-name".into(), "default/web".into()),
                ]);
                (name.clone(), format!("ELB {name}"), tags)
            } else {
                let name = format!("k8s-default-web-{hex:0>10}");
                let path = format!("net/{name}/{hex:0>16}");
                let tags = Tags::from([
                    ("elbv2.k8s.aws/cluster".into(), cluster.to_string()),
                    ("service.k8s.aws/stack".into(), "default/web".into()),
                    ("service.k8s.aws/resource".into(), "LoadBalancer".into()),
                ]);
                (format!("{ARN_PREFIX}/{path}"), format!("ELB {path}"), tags)
            };
            w.born.insert(id.clone(), Instant::now());
            let group_id = w.id("sg");
            let group_tags = if classic {
                Tags::from([(format!("kubernetes.io/cluster/{cluster}"), "owned".into())])
            } else {
                Tags::from([
                    ("elbv2.k8s.aws/cluster".into(), cluster.to_string()),
                    (
                        "elbv2.k8s.aws/resource".into(),
                        "ManagedLBSecurityGroup".into(),
                    ),
                ])
            };
            let rule = |egress, protocol: &str, port| Rule {
                egress,
                protocol: protocol.into(),
                from_port: port,
                to_port: port,
                peer: RulePeer::Cidr("0.0.0.0/0".into()),
                description: String::new(),
            };
            let group = SecurityGroup {
                id: group_id.clone(),
                name: format!("k8s-elb-{}", &group_id[3..]),
                vpc_id: vpc_id.to_string(),
                rules: vec![rule(false, "tcp", 80), rule(true, "-1", -1)],
                tags: group_tags,
            };
            insert(&mut w.groups, group_id.clone(), group);
            let mut interfaces = Vec::new();
            for subnet in subnet_ids {
                let interface = Interface {
                    id: w.id("eni"),
                    subnet_id: subnet.to_string(),
                    in_use: true,
                    description: description.clone(),
                    tags: Tags::new(),
                };
                interfaces.push(insert(&mut w.interfaces, interface.id.clone(), interface).id);
            }
            let balancer = SimBalancer {
                lb: KubeLoadBalancer {
                    id: id.clone(),
                    classic,
                    security_groups: vec![group_id],
                },
                vpc_id: vpc_id.to_string(),
                interfaces,
                tags,
                gone_at: None,
            };
            w.balancers.0.insert(id.clone(), balancer);
            id
        })
        .unwrap_or_default()
    }
}

#[async_trait]
impl KubeLeftoversApi for SimCloud {
    async fn vpc_of_subnet(&self, subnet_id: &str) -> CloudResult<Option<String>> {
        self.enter("vpc_of_subnet").await?;
        Ok(self
            .world()?
            .subnets
            .get(subnet_id)
            .map(|s| s.vpc_id.clone()))
    }

    async fn list_kube_load_balancers(
        &self,
        vpc_id: &str,
        cluster: &str,
    ) -> CloudResult<Vec<KubeLoadBalancer>> {
        self.enter("list_kube_load_balancers").await?;
        let w = self.world()?;
        let listed = |b: &&SimBalancer| {
            b.vpc_id == vpc_id
                && !b.deleted()
                && w.visible(&b.lb.id)
                && for_cluster(
                    b.tags.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))),
                    cluster,
                )
        };
        Ok(w.balancers
            .0
            .values()
            .filter(listed)
            .map(|b| b.lb.clone())
            .collect())
    }

    async fn delete_load_balancer(&self, lb: &KubeLoadBalancer, _cluster: &str) -> CloudResult<()> {
        self.mutate("delete_load_balancer", |w| {
            let kind = if lb.classic {
                "classic load balancer"
            } else {
                "load balancer"
            };
            let found = w.balancers.0.get_mut(&lb.id);
            let live = found.filter(|b| !b.deleted() && b.lb.classic == lb.classic);
            let balancer = live.ok_or_else(|| not_found(kind, &lb.id))?;
            balancer.gone_at = Some(Instant::now() + self.latency.balancer_gone_after);
            Ok(())
        })
        .await
    }

    async fn list_kube_security_groups(
        &self,
        vpc_id: &str,
        cluster: &str,
    ) -> CloudResult<Vec<String>> {
        self.enter("list_kube_security_groups").await?;
        let w = self.world()?;
        let listed = |g: &&SecurityGroup| {
            g.vpc_id == vpc_id
                && w.visible(&g.id)
                && for_cluster(
                    g.tags.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))),
                    cluster,
                )
        };
        Ok(w.groups
            .values()
            .filter(listed)
            .map(|g| g.id.clone())
            .collect())
    }

    async fn delete_kube_security_group(&self, group_id: &str) -> CloudResult<()> {
        self.mutate("delete_kube_security_group", |w| w.delete_group(group_id))
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::cloud::sim::LatencyModel;
    use crate::cloud::{NetworkApi, TAG_STACK};

    fn tags() -> Tags {
        Tags::from([(TAG_STACK.to_string(), "s".to_string())])
    }

    use crate::cloud::sim::error_code as code;

    /// A VPC with a subnet in each of `zones` zones.
    async fn network(sim: &SimCloud, cidr: u8, zones: usize) -> (String, Vec<String>) {
        let vpc = sim
            .create_vpc(&format!("10.{cidr}.0.0/16"), &tags())
            .await
            .unwrap()
            .id;
        let mut subnets = Vec::new();
        for (i, az) in ["us-east-1a", "us-east-1b"].iter().take(zones).enumerate() {
            let block = format!("10.{cidr}.{i}.0/24");
            subnets.push(
                sim.create_subnet(&vpc, &block, az, &tags())
                    .await
                    .unwrap()
                    .id,
            );
        }
        (vpc, subnets)
    }

    fn refs(ids: &[String]) -> Vec<&str> {
        ids.iter().map(String::as_str).collect()
    }

    fn kinds(sim: &SimCloud) -> Vec<&'static str> {
        sim.inventory().into_iter().map(|(kind, ..)| kind).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn load_balancers_and_groups_are_listed_by_vpc_and_cluster() {
        let sim = SimCloud::new(LatencyModel::instant());
        let (vpc, subnets) = network(&sim, 0, 2).await;
        let (other_vpc, other_subnets) = network(&sim, 1, 1).await;
        let classic = sim.add_kube_load_balancer(&vpc, &refs(&subnets), "c1", true);
        let nlb = sim.add_kube_load_balancer(&vpc, &refs(&subnets), "c1", false);
        let foreign = sim.add_kube_load_balancer(&vpc, &refs(&subnets), "c2", true);
        let elsewhere = sim.add_kube_load_balancer(&other_vpc, &refs(&other_subnets), "c1", false);
        assert!(classic.starts_with('a') && classic.len() == 32, "{classic}");
        assert!(
            nlb.starts_with(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/k8s-"
            ),
            "{nlb}"
        );

        let found = sim.list_kube_load_balancers(&vpc, "c1").await.unwrap();
        let ids: Vec<(&str, bool)> = found.iter().map(|b| (b.id.as_str(), b.classic)).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids.contains(&(classic.as_str(), true)) && ids.contains(&(nlb.as_str(), false)));
        assert!(found.iter().all(|b| b.security_groups.len() == 1));
        let other = sim
            .list_kube_load_balancers(&other_vpc, "c1")
            .await
            .unwrap();
        assert_eq!(
            other.iter().map(|b| &b.id).collect::<Vec<_>>(),
            [&elsewhere]
        );
        let c2 = sim.list_kube_load_balancers(&vpc, "c2").await.unwrap();
        assert_eq!(c2.iter().map(|b| &b.id).collect::<Vec<_>>(), [&foreign]);
        assert!(
            sim.list_kube_load_balancers(&vpc, "c")
                .await
                .unwrap()
                .is_empty(),
            "a prefix of a name"
        );

        let mut groups = sim.list_kube_security_groups(&vpc, "c1").await.unwrap();
        let mut expected: Vec<String> = found
            .iter()
            .flat_map(|b| b.security_groups.clone())
            .collect();
        groups.sort();
        expected.sort();
        assert_eq!(groups, expected, "the in-tree and the controller's groups");
        assert_eq!(
            sim.list_kube_security_groups(&other_vpc, "c1")
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            sim.list_kube_security_groups(&vpc, "c3")
                .await
                .unwrap()
                .is_empty()
        );

        let lbs = kinds(&sim)
            .into_iter()
            .filter(|k| *k == "load-balancer")
            .count();
        assert_eq!(lbs, 4);
        let interfaces = sim.subnet_interfaces(&subnets[0]).await.unwrap();
        assert_eq!(interfaces.len(), 3, "one per load balancer in the subnet");
        assert!(
            interfaces
                .iter()
                .all(|i| i.in_use && i.description.starts_with("ELB "))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_load_balancer_holds_its_subnets_and_group_until_its_interfaces_go() {
        let sim = SimCloud::new(LatencyModel::aws_like());
        let (vpc, subnets) = network(&sim, 0, 2).await;
        sim.add_kube_load_balancer(&vpc, &refs(&subnets), "c1", true);
        let lb = sim
            .list_kube_load_balancers(&vpc, "c1")
            .await
            .unwrap()
            .remove(0);
        let group = lb.security_groups[0].clone();

        assert_eq!(
            code(sim.delete_subnet(&subnets[0]).await),
            "DependencyViolation"
        );
        assert_eq!(
            code(sim.delete_kube_security_group(&group).await),
            "DependencyViolation"
        );
        let eni = sim.subnet_interfaces(&subnets[0]).await.unwrap().remove(0);
        assert_eq!(
            code(sim.delete_interface(&eni.id).await),
            "InvalidNetworkInterface.InUse"
        );

        let wrong_kind = KubeLoadBalancer {
            classic: false,
            ..lb.clone()
        };
        assert_eq!(
            code(sim.delete_load_balancer(&wrong_kind, "c1").await),
            "NotFound"
        );
        sim.delete_load_balancer(&lb, "c1").await.unwrap();
        let deleted = Instant::now();
        assert!(
            sim.list_kube_load_balancers(&vpc, "c1")
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(code(sim.delete_load_balancer(&lb, "c1").await), "NotFound");
        assert!(!kinds(&sim).contains(&"load-balancer"));
        assert!(
            kinds(&sim).contains(&"network-interface"),
            "interfaces linger"
        );

        let after = sim.latency.balancer_gone_after;
        tokio::time::sleep_until(deleted + after - Duration::from_secs(2)).await;
        assert_eq!(
            code(sim.delete_kube_security_group(&group).await),
            "DependencyViolation"
        );
        assert_eq!(
            code(sim.delete_subnet(&subnets[1]).await),
            "DependencyViolation"
        );
        tokio::time::sleep_until(deleted + after).await;
        for subnet in &subnets {
            sim.delete_subnet(subnet).await.unwrap();
        }
        assert_eq!(
            code(sim.delete_vpc(&vpc).await),
            "DependencyViolation",
            "the group is left"
        );
        assert_eq!(
            sim.list_kube_security_groups(&vpc, "c1").await.unwrap(),
            [group.as_str()]
        );
        sim.delete_kube_security_group(&group).await.unwrap();
        assert_eq!(
            code(sim.delete_kube_security_group(&group).await),
            "NotFound"
        );
        sim.delete_vpc(&vpc).await.unwrap();
        assert!(sim.inventory().is_empty(), "{:?}", sim.inventory());
        let ops = sim.calls_by_op();
        assert_eq!(ops.get("delete_load_balancer"), Some(&3));
        assert_eq!(ops.get("delete_kube_security_group"), Some(&4));
    }

    #[tokio::test(start_paused = true)]
    async fn with_instant_latency_a_deleted_load_balancer_lets_go_at_once() {
        let sim = SimCloud::new(LatencyModel::instant());
        let (vpc, subnets) = network(&sim, 0, 2).await;
        sim.add_kube_load_balancer(&vpc, &refs(&subnets), "c1", false);
        for lb in sim.list_kube_load_balancers(&vpc, "c1").await.unwrap() {
            sim.delete_load_balancer(&lb, "c1").await.unwrap();
        }
        for group in sim.list_kube_security_groups(&vpc, "c1").await.unwrap() {
            sim.delete_kube_security_group(&group).await.unwrap();
        }
        for subnet in &subnets {
            sim.delete_subnet(subnet).await.unwrap();
        }
        sim.delete_vpc(&vpc).await.unwrap();
        assert!(sim.inventory().is_empty(), "{:?}", sim.inventory());
    }
}
