//! The EC2 implementation of `NetworkApi` against the emulator: creates tag
//! objects atomically, observe finds exactly one stack's objects with one
//! call per kind, deletes work once and then report NotFound, and AWS's
//! refusals map to our error kinds.

use acceptance_tests::Emulator;
use todo_provider::cloud::aws::AwsClients;
use todo_provider::cloud::aws::network::AwsNetwork;
use todo_provider::cloud::{
    CloudError, ElasticIp, InternetGateway, NatGateway, NatState, NetworkApi, Route, RouteTable,
    RouteTarget, Rule, RulePeer, SecurityGroup, Subnet, TAG_COMPONENT, TAG_STACK, Tags, Vpc,
};

/// Every network object of one stack, as the seven list calls return them.
#[derive(Debug, Default, PartialEq)]
struct NetworkSnapshot {
    vpcs: Vec<Vpc>,
    subnets: Vec<Subnet>,
    internet_gateways: Vec<InternetGateway>,
    elastic_ips: Vec<ElasticIp>,
    nat_gateways: Vec<NatGateway>,
    route_tables: Vec<RouteTable>,
    security_groups: Vec<SecurityGroup>,
}

/// The EC2 calls, with the requests they send counted at the HTTP level.
struct Counted {
    clients: AwsClients,
    net: AwsNetwork,
}

impl std::ops::Deref for Counted {
    type Target = AwsNetwork;
    fn deref(&self) -> &AwsNetwork {
        &self.net
    }
}

impl Counted {
    fn calls(&self) -> u64 {
        self.clients.calls.get()
    }

    async fn observe_network(&self, stack: &str) -> Result<NetworkSnapshot, CloudError> {
        let n = &self.net;
        let (
            vpcs,
            subnets,
            internet_gateways,
            elastic_ips,
            nat_gateways,
            route_tables,
            security_groups,
        ) = futures::try_join!(
            n.list_vpcs(stack),
            n.list_subnets(stack),
            n.list_internet_gateways(stack),
            n.list_elastic_ips(stack),
            n.list_nat_gateways(stack),
            n.list_route_tables(stack),
            n.list_security_groups(stack),
        )?;
        Ok(NetworkSnapshot {
            vpcs,
            subnets,
            internet_gateways,
            elastic_ips,
            nat_gateways,
            route_tables,
            security_groups,
        })
    }
}

/// describe_vpcs, _subnets, _internet_gateways, _addresses, _nat_gateways,
/// _route_tables, _security_groups.
const KINDS: u64 = 7;
/// describe_vpc_attribute for DNS hostnames and DNS support, per VPC.
const DNS_CALLS_PER_VPC: u64 = 2;

async fn network(emulator: &Emulator) -> Counted {
    let clients = AwsClients::from_sdk(emulator.sdk_config().await);
    Counted {
        net: clients.network(),
        clients,
    }
}

fn tags(stack: &str, component: &str) -> Tags {
    Tags::from([
        (TAG_STACK.to_string(), stack.to_string()),
        (TAG_COMPONENT.to_string(), component.to_string()),
    ])
}

fn https_from_anywhere() -> Rule {
    Rule {
        egress: false,
        protocol: "tcp".into(),
        from_port: 443,
        to_port: 443,
        peer: RulePeer::Cidr("0.0.0.0/0".into()),
        description: "https".into(),
    }
}

fn postgres_from(group: &str) -> Rule {
    Rule {
        egress: false,
        protocol: "tcp".into(),
        from_port: 5432,
        to_port: 5432,
        peer: RulePeer::Group(group.to_string()),
        description: "postgres from app".into(),
    }
}

fn all_egress() -> Rule {
    Rule {
        egress: true,
        protocol: "-1".into(),
        from_port: -1,
        to_port: -1,
        peer: RulePeer::Cidr("0.0.0.0/0".into()),
        description: String::new(),
    }
}

/// Ids of one stack's network, as created.
struct Built {
    vpc: String,
    public: String,
    private: String,
    igw: String,
    eip: String,
    nat: String,
    public_rt: String,
    private_rt: String,
    public_assoc: String,
    private_assoc: String,
    app_sg: String,
    db_sg: String,
}

/// Creates a full network for `stack` in `10.<octet>.0.0/16` through the trait.
async fn build(net: &Counted, stack: &str, octet: u8) -> Built {
    let zones = net.availability_zones().await.expect("availability zones");
    let zone = zones.first().expect("at least one zone").clone();
    let vpc = net
        .create_vpc(&format!("10.{octet}.0.0/16"), &tags(stack, "vpc"))
        .await
        .expect("create vpc");
    assert!(
        !vpc.dns_hostnames && vpc.dns_support,
        "AWS defaults: {vpc:?}"
    );
    net.set_vpc_dns(&vpc.id, true, true)
        .await
        .expect("set vpc dns");
    let public = net
        .create_subnet(
            &vpc.id,
            &format!("10.{octet}.0.0/24"),
            &zone,
            &tags(stack, "subnet-public"),
        )
        .await
        .expect("create public subnet");
    net.set_subnet_public_ip(&public.id, true)
        .await
        .expect("map public ip");
    let private = net
        .create_subnet(
            &vpc.id,
            &format!("10.{octet}.1.0/24"),
            &zone,
            &tags(stack, "subnet-private"),
        )
        .await
        .expect("create private subnet");
    let igw = net
        .create_internet_gateway(&tags(stack, "igw"))
        .await
        .expect("create igw");
    net.attach_internet_gateway(&igw.id, &vpc.id)
        .await
        .expect("attach igw");
    let eip = net
        .allocate_elastic_ip(&tags(stack, "eip"))
        .await
        .expect("allocate eip");
    let nat = net
        .create_nat_gateway(&public.id, &eip.allocation_id, &tags(stack, "nat"))
        .await
        .expect("create nat");
    assert_eq!(nat.subnet_id, public.id);
    assert_eq!(
        nat.allocation_id.as_deref(),
        Some(eip.allocation_id.as_str())
    );
    let public_rt = net
        .create_route_table(&vpc.id, &tags(stack, "rt-public"))
        .await
        .expect("create public route table");
    assert_eq!(public_rt.vpc_id, vpc.id);
    net.create_route(
        &public_rt.id,
        "0.0.0.0/0",
        &RouteTarget::InternetGateway(igw.id.clone()),
    )
    .await
    .expect("route to igw");
    let private_rt = net
        .create_route_table(&vpc.id, &tags(stack, "rt-private"))
        .await
        .expect("create private route table");
    net.create_route(
        &private_rt.id,
        "0.0.0.0/0",
        &RouteTarget::NatGateway(nat.id.clone()),
    )
    .await
    .expect("route to nat");
    let public_assoc = net
        .associate_route_table(&public_rt.id, &public.id)
        .await
        .expect("associate public");
    let private_assoc = net
        .associate_route_table(&private_rt.id, &private.id)
        .await
        .expect("associate private");
    let app = net
        .create_security_group(
            &vpc.id,
            &format!("{stack}-app"),
            "app",
            &tags(stack, "sg-app"),
        )
        .await
        .expect("create app sg");
    assert_eq!(app.rules, vec![all_egress()], "default egress rule");
    let db = net
        .create_security_group(&vpc.id, &format!("{stack}-db"), "db", &tags(stack, "sg-db"))
        .await
        .expect("create db sg");
    net.authorize_rule(&app.id, &https_from_anywhere())
        .await
        .expect("authorize https");
    net.authorize_rule(&db.id, &postgres_from(&app.id))
        .await
        .expect("authorize postgres");
    Built {
        vpc: vpc.id,
        public: public.id,
        private: private.id,
        igw: igw.id,
        eip: eip.allocation_id,
        nat: nat.id,
        public_rt: public_rt.id,
        private_rt: private_rt.id,
        public_assoc,
        private_assoc,
        app_sg: app.id,
        db_sg: db.id,
    }
}

/// Observes `stack`, asserting the call count: one per kind plus the DNS
/// attribute reads of each VPC found.
async fn observe(net: &Counted, stack: &str) -> NetworkSnapshot {
    let before = net.calls();
    let snap = net.observe_network(stack).await.expect("observe network");
    let vpcs = snap.vpcs.len() as u64;
    assert_eq!(
        net.calls() - before,
        KINDS + DNS_CALLS_PER_VPC * vpcs,
        "observe_network of {stack} with {vpcs} vpc(s)"
    );
    snap
}

fn every_id(snap: &NetworkSnapshot) -> Vec<String> {
    let mut ids: Vec<String> = snap.vpcs.iter().map(|o| o.id.clone()).collect();
    ids.extend(snap.subnets.iter().map(|o| o.id.clone()));
    ids.extend(snap.internet_gateways.iter().map(|o| o.id.clone()));
    ids.extend(snap.elastic_ips.iter().map(|o| o.allocation_id.clone()));
    ids.extend(snap.nat_gateways.iter().map(|o| o.id.clone()));
    ids.extend(snap.route_tables.iter().map(|o| o.id.clone()));
    ids.extend(snap.security_groups.iter().map(|o| o.id.clone()));
    ids
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

#[tokio::test]
async fn observe_network_returns_exactly_one_stacks_objects() {
    let emulator = Emulator::start();
    let net = network(&emulator).await;
    let a = build(&net, "acc-a", 10).await;
    let b = build(&net, "acc-b", 20).await;

    let snap = observe(&net, "acc-a").await;

    assert_eq!(snap.vpcs.len(), 1, "{:?}", snap.vpcs);
    let vpc = &snap.vpcs[0];
    assert_eq!(vpc.id, a.vpc);
    assert_eq!(vpc.cidr_block, "10.10.0.0/16");
    assert!(vpc.dns_hostnames && vpc.dns_support, "{vpc:?}");
    assert_eq!(vpc.tags, tags("acc-a", "vpc"));

    assert_eq!(
        sorted(snap.subnets.iter().map(|s| s.id.clone()).collect()),
        sorted(vec![a.public.clone(), a.private.clone()])
    );
    for subnet in &snap.subnets {
        let public = subnet.id == a.public;
        assert_eq!(subnet.vpc_id, a.vpc);
        assert_eq!(subnet.map_public_ip_on_launch, public, "{subnet:?}");
        let key = if public {
            "subnet-public"
        } else {
            "subnet-private"
        };
        assert_eq!(subnet.tags, tags("acc-a", key));
    }

    assert_eq!(snap.internet_gateways.len(), 1);
    assert_eq!(snap.internet_gateways[0].id, a.igw);
    assert_eq!(
        snap.internet_gateways[0].attached_vpc_ids,
        vec![a.vpc.clone()]
    );
    assert_eq!(snap.internet_gateways[0].tags, tags("acc-a", "igw"));

    assert_eq!(snap.elastic_ips.len(), 1);
    assert_eq!(snap.elastic_ips[0].allocation_id, a.eip);
    assert!(snap.elastic_ips[0].public_ip.is_some());
    assert_eq!(snap.elastic_ips[0].tags, tags("acc-a", "eip"));

    assert_eq!(snap.nat_gateways.len(), 1);
    let nat = &snap.nat_gateways[0];
    assert_eq!(nat.id, a.nat);
    assert_eq!(nat.subnet_id, a.public);
    assert_eq!(nat.allocation_id.as_deref(), Some(a.eip.as_str()));
    assert!(
        matches!(nat.state, NatState::Pending | NatState::Available),
        "{nat:?}"
    );
    assert_eq!(nat.tags, tags("acc-a", "nat"));

    assert_eq!(snap.route_tables.len(), 2, "{:?}", snap.route_tables);
    for table in &snap.route_tables {
        assert_eq!(table.vpc_id, a.vpc);
        let (key, subnet, assoc, target) = if table.id == a.public_rt {
            (
                "rt-public",
                &a.public,
                &a.public_assoc,
                RouteTarget::InternetGateway(a.igw.clone()),
            )
        } else {
            assert_eq!(table.id, a.private_rt);
            (
                "rt-private",
                &a.private,
                &a.private_assoc,
                RouteTarget::NatGateway(a.nat.clone()),
            )
        };
        assert_eq!(table.tags, tags("acc-a", key));
        assert!(
            table.routes.contains(&Route {
                destination: "10.10.0.0/16".into(),
                target: RouteTarget::Local,
            }),
            "{table:?}"
        );
        assert!(
            table.routes.contains(&Route {
                destination: "0.0.0.0/0".into(),
                target,
            }),
            "{table:?}"
        );
        assert_eq!(table.associations.len(), 1, "{table:?}");
        assert_eq!(&table.associations[0].id, assoc);
        assert_eq!(table.associations[0].subnet_id.as_ref(), Some(subnet));
    }

    assert_eq!(snap.security_groups.len(), 2, "{:?}", snap.security_groups);
    for group in &snap.security_groups {
        assert_eq!(group.vpc_id, a.vpc);
        let (name, key, ingress) = if group.id == a.app_sg {
            ("acc-a-app", "sg-app", https_from_anywhere())
        } else {
            assert_eq!(group.id, a.db_sg);
            ("acc-a-db", "sg-db", postgres_from(&a.app_sg))
        };
        assert_eq!(group.name, name);
        assert_eq!(group.tags, tags("acc-a", key));
        assert_eq!(
            group.rules,
            sorted(vec![ingress, all_egress()]),
            "{group:?}"
        );
    }

    let other = observe(&net, "acc-b").await;
    let (ids_a, ids_b) = (every_id(&snap), every_id(&other));
    assert_eq!(ids_a.len(), 10, "{ids_a:?}");
    assert_eq!(ids_b.len(), 10, "{ids_b:?}");
    assert!(ids_b.contains(&b.vpc) && ids_b.contains(&b.nat));
    assert!(
        ids_a.iter().all(|id| !ids_b.contains(id)),
        "stacks share objects: {ids_a:?} / {ids_b:?}"
    );

    // A stack with nothing costs exactly one call per kind.
    assert_eq!(observe(&net, "acc-none").await, NetworkSnapshot::default());
}

#[tokio::test]
async fn deletes_work_once_and_then_report_not_found() {
    let emulator = Emulator::start();
    let net = network(&emulator).await;
    let a = build(&net, "acc-del", 30).await;

    // Repoint, then remove, a route; revoke rules.
    net.replace_route(
        &a.private_rt,
        "0.0.0.0/0",
        &RouteTarget::InternetGateway(a.igw.clone()),
    )
    .await
    .expect("replace route");
    let snap = observe(&net, "acc-del").await;
    let private_rt = snap
        .route_tables
        .iter()
        .find(|t| t.id == a.private_rt)
        .expect("private route table");
    assert!(private_rt.routes.contains(&Route {
        destination: "0.0.0.0/0".into(),
        target: RouteTarget::InternetGateway(a.igw.clone()),
    }));
    net.revoke_rule(&a.db_sg, &postgres_from(&a.app_sg))
        .await
        .expect("revoke postgres");
    net.revoke_rule(&a.app_sg, &https_from_anywhere())
        .await
        .expect("revoke https");
    net.revoke_rule(&a.app_sg, &all_egress())
        .await
        .expect("revoke egress");
    let snap = observe(&net, "acc-del").await;
    for group in &snap.security_groups {
        let left = if group.id == a.db_sg {
            vec![all_egress()]
        } else {
            vec![]
        };
        assert_eq!(group.rules, left, "{group:?}");
    }

    macro_rules! twice {
        ($what:literal, $call:expr) => {{
            $call.await.expect(concat!("first ", $what));
            match $call.await {
                Err(e) if e.is_not_found() => {}
                other => panic!("second {}: expected NotFound, got {other:?}", $what),
            }
        }};
    }
    // AWS and moto list an unknown rule in the answer (NotFound to us);
    // LocalStack answers plain success. Both mean the rule is gone.
    net.revoke_rule(&a.db_sg, &all_egress())
        .await
        .expect("first revoke rule");
    match net.revoke_rule(&a.db_sg, &all_egress()).await {
        Ok(()) if acceptance_tests::Target::from_env() == acceptance_tests::Target::LocalStack => {}
        Err(e) if e.is_not_found() => {}
        other => panic!("second revoke rule: expected NotFound, got {other:?}"),
    }
    twice!("delete route", net.delete_route(&a.private_rt, "0.0.0.0/0"));
    twice!(
        "disassociate public",
        net.disassociate_route_table(&a.public_assoc)
    );
    twice!(
        "disassociate private",
        net.disassociate_route_table(&a.private_assoc)
    );
    twice!("delete public rt", net.delete_route_table(&a.public_rt));
    twice!("delete private rt", net.delete_route_table(&a.private_rt));

    net.delete_nat_gateway(&a.nat).await.expect("delete nat");
    match net.get_nat_gateway(&a.nat).await {
        Err(e) if e.is_not_found() => {}
        Ok(nat) if nat.state == NatState::Deleting => {}
        other => panic!("nat after delete: {other:?}"),
    }
    let snap = observe(&net, "acc-del").await;
    assert!(
        snap.nat_gateways
            .iter()
            .all(|n| n.state != NatState::Deleted),
        "{:?}",
        snap.nat_gateways
    );

    twice!("release eip", net.release_elastic_ip(&a.eip));
    twice!("detach igw", net.detach_internet_gateway(&a.igw, &a.vpc));
    twice!("delete igw", net.delete_internet_gateway(&a.igw));
    twice!("delete db sg", net.delete_security_group(&a.db_sg));
    twice!("delete app sg", net.delete_security_group(&a.app_sg));
    twice!("delete public subnet", net.delete_subnet(&a.public));
    twice!("delete private subnet", net.delete_subnet(&a.private));
    twice!("delete vpc", net.delete_vpc(&a.vpc));

    let left = observe(&net, "acc-del").await;
    assert_eq!(
        every_id(&left),
        Vec::<String>::new(),
        "left behind: {left:?}"
    );
}

#[tokio::test]
async fn in_use_objects_refuse_deletion_and_leftover_interfaces_are_swept() {
    let emulator = Emulator::start();
    let sdk = emulator.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let net = network(&emulator).await;

    let zones = net.availability_zones().await.expect("availability zones");
    assert!(!zones.is_empty());
    assert!(zones.windows(2).all(|w| w[0] < w[1]), "{zones:?}");
    assert!(
        zones.iter().all(|z| z.starts_with("us-east-1")),
        "{zones:?}"
    );

    let vpc = net
        .create_vpc("10.40.0.0/16", &tags("acc-use", "vpc"))
        .await
        .expect("create vpc");
    let subnet = net
        .create_subnet(
            &vpc.id,
            "10.40.0.0/24",
            &zones[0],
            &tags("acc-use", "subnet"),
        )
        .await
        .expect("create subnet");

    match net.delete_vpc(&vpc.id).await {
        Err(CloudError::DependencyViolation(message)) => {
            assert!(message.contains(&vpc.id), "{message}")
        }
        other => panic!("delete vpc with a subnet: {other:?}"),
    }

    // An interface made behind the stack's back (as a load balancer would).
    let eni = ec2
        .create_network_interface()
        .subnet_id(&subnet.id)
        .description("ELB app/k8s-todo")
        .send()
        .await
        .expect("create interface");
    let eni_id = eni
        .network_interface()
        .and_then(|i| i.network_interface_id())
        .expect("interface id")
        .to_string();
    let before = net.calls();
    let left = net
        .subnet_interfaces(&subnet.id)
        .await
        .expect("interfaces of the subnet");
    assert_eq!(net.calls() - before, 1);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].id, eni_id);
    assert_eq!(left[0].description, "ELB app/k8s-todo");
    assert!(!left[0].in_use, "a new interface is available: {left:?}");
    net.delete_interface(&eni_id)
        .await
        .expect("delete interface");
    assert!(
        net.delete_interface(&eni_id)
            .await
            .is_err_and(|e| e.is_not_found())
    );
    assert_eq!(
        net.subnet_interfaces(&subnet.id).await.expect("interfaces"),
        vec![]
    );

    net.delete_subnet(&subnet.id).await.expect("delete subnet");
    net.delete_vpc(&vpc.id).await.expect("delete vpc");

    // Unknown ids are NotFound with the kind and id we asked about.
    assert_eq!(
        net.get_nat_gateway("nat-0123456789abcdef0").await,
        Err(CloudError::NotFound {
            kind: "nat gateway",
            id: "nat-0123456789abcdef0".into()
        })
    );
    assert!(
        net.set_vpc_dns(&vpc.id, true, true)
            .await
            .is_err_and(|e| e.is_not_found())
    );
}
