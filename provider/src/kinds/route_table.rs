//! A route table: the subnets associated with it and its default route
//! (to the internet gateway, a NAT gateway, or none). Associations and the
//! default route converge in place; a route pointed at a replaced NAT
//! gateway is moved to the new one before the old one is deleted.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::cloud::{CloudError, CloudResult, NetworkApi, RouteTable, RouteTarget, Tags};
use crate::reconcile::{Change, Dep, Ids, Key, Kind, Meta};

use super::ignore_not_found;

/// The default route's destination.
pub const ANYWHERE: &str = "0.0.0.0/0";

/// Route tables, on EC2.
pub struct RouteTables(pub Arc<dyn NetworkApi>);

/// Where the default route goes.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultRoute {
    /// To an internet gateway of the stack.
    InternetGateway(Key),
    /// To a NAT gateway of the stack.
    NatGateway(Key),
    /// No default route.
    None,
}

/// What the stack wants of one route table.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTableSpec {
    /// Its VPC.
    pub vpc: Key,
    /// The subnets associated with it.
    pub subnets: Vec<Key>,
    /// Its default route.
    pub default_route: DefaultRoute,
}

impl RouteTableSpec {
    fn target(&self, ids: &Ids) -> Option<Option<RouteTarget>> {
        match &self.default_route {
            DefaultRoute::InternetGateway(k) => ids
                .get(k)
                .map(|id| Some(RouteTarget::InternetGateway(id.into()))),
            DefaultRoute::NatGateway(k) => ids
                .get(k)
                .map(|id| Some(RouteTarget::NatGateway(id.into()))),
            DefaultRoute::None => Some(None),
        }
    }
}

fn default_route(seen: &RouteTable) -> Option<RouteTarget> {
    seen.routes
        .iter()
        .find(|r| r.destination == ANYWHERE)
        .map(|r| r.target.clone())
}

fn target_text(t: &Option<RouteTarget>) -> String {
    match t {
        Some(
            RouteTarget::InternetGateway(id) | RouteTarget::NatGateway(id) | RouteTarget::Other(id),
        ) => id.clone(),
        Some(RouteTarget::Local) => "local".into(),
        None => "none".into(),
    }
}

fn associated(seen: &RouteTable) -> BTreeSet<&str> {
    seen.associations
        .iter()
        .filter_map(|a| a.subnet_id.as_deref())
        .collect()
}

#[async_trait]
impl Kind for RouteTables {
    type Spec = RouteTableSpec;
    type Seen = RouteTable;
    const NAME: &'static str = "rt";
    const NOUN: &'static str = "route table";

    fn deps(spec: &RouteTableSpec) -> Vec<Dep> {
        let mut deps = vec![Dep::ready(spec.vpc.clone())];
        deps.extend(spec.subnets.iter().cloned().map(Dep::ready));
        match &spec.default_route {
            DefaultRoute::InternetGateway(k) | DefaultRoute::NatGateway(k) => {
                deps.push(Dep::ready(k.clone()))
            }
            DefaultRoute::None => {}
        }
        deps
    }

    fn meta(seen: &RouteTable) -> Meta {
        let mut refs = vec![seen.vpc_id.clone()];
        refs.extend(associated(seen).into_iter().map(str::to_string));
        refs.extend(seen.routes.iter().filter_map(|r| match &r.target {
            RouteTarget::InternetGateway(id) | RouteTarget::NatGateway(id) => Some(id.clone()),
            _ => None,
        }));
        Meta {
            id: seen.id.clone(),
            tags: seen.tags.clone(),
            refs,
            ..Meta::default()
        }
    }

    fn diff(spec: &RouteTableSpec, seen: &RouteTable, ids: &Ids) -> Vec<Change> {
        let mut changes = Vec::new();
        if !ids.is(&spec.vpc, &seen.vpc_id) {
            changes.push(Change::replace("its VPC is replaced"));
            return changes;
        }
        let have = associated(seen);
        for key in &spec.subnets {
            match ids.get(key) {
                Some(id) if have.contains(id) => {}
                Some(id) => changes.push(Change::update(format!("associate subnet {id} ({key})"))),
                None => changes.push(Change::update(format!("associate the new subnet {key}"))),
            }
        }
        let wanted: BTreeSet<&str> = spec.subnets.iter().filter_map(|k| ids.get(k)).collect();
        for id in have.difference(&wanted) {
            changes.push(Change::update(format!("disassociate subnet {id}")));
        }
        let current = default_route(seen);
        match spec.target(ids) {
            Some(want) if want == current => {}
            Some(want) => changes.push(Change::update(format!(
                "route {ANYWHERE}: {} -> {}",
                target_text(&current),
                target_text(&want)
            ))),
            None => changes.push(Change::update(format!(
                "route {ANYWHERE}: {} -> a new gateway",
                target_text(&current)
            ))),
        }
        changes
    }

    async fn observe(&self, stack: &str) -> CloudResult<Vec<RouteTable>> {
        self.0.list_route_tables(stack).await
    }

    async fn create(
        &self,
        spec: &RouteTableSpec,
        ids: &Ids,
        tags: &Tags,
    ) -> CloudResult<RouteTable> {
        let vpc = ids.need(&spec.vpc)?;
        self.0.create_route_table(&vpc, tags).await
    }

    async fn update(&self, spec: &RouteTableSpec, seen: &RouteTable, ids: &Ids) -> CloudResult<()> {
        // The route first: a private subnet moved here keeps its egress.
        let current = default_route(seen);
        let want = match &spec.default_route {
            DefaultRoute::InternetGateway(k) => Some(RouteTarget::InternetGateway(ids.need(k)?)),
            DefaultRoute::NatGateway(k) => Some(RouteTarget::NatGateway(ids.need(k)?)),
            DefaultRoute::None => None,
        };
        match (&current, &want) {
            (None, Some(t)) => self.0.create_route(&seen.id, ANYWHERE, t).await?,
            (Some(c), Some(t)) if c != t => self.0.replace_route(&seen.id, ANYWHERE, t).await?,
            (Some(_), None) => ignore_not_found(self.0.delete_route(&seen.id, ANYWHERE).await)?,
            _ => {}
        }
        let have = associated(seen);
        for key in &spec.subnets {
            let subnet = ids.need(key)?;
            if have.contains(subnet.as_str()) {
                continue;
            }
            match self.0.associate_route_table(&seen.id, &subnet).await {
                // Still associated with another table: move it here.
                Err(CloudError::Service { code, .. }) if code == "Resource.AlreadyAssociated" => {
                    if let Some(old) = self.0.subnet_association(&subnet).await? {
                        ignore_not_found(self.0.disassociate_route_table(&old).await)?;
                    }
                    self.0.associate_route_table(&seen.id, &subnet).await?;
                }
                other => {
                    other?;
                }
            }
        }
        let wanted: BTreeSet<String> = spec
            .subnets
            .iter()
            .filter_map(|k| ids.get(k).map(str::to_string))
            .collect();
        for a in &seen.associations {
            if let Some(subnet) = &a.subnet_id
                && !wanted.contains(subnet)
            {
                ignore_not_found(self.0.disassociate_route_table(&a.id).await)?;
            }
        }
        Ok(())
    }

    async fn retag(&self, seen: &RouteTable, set: &Tags, remove: &[String]) -> CloudResult<()> {
        self.0.retag(&seen.id, set, remove).await
    }

    async fn delete(&self, seen: &RouteTable) -> CloudResult<()> {
        for a in seen.associations.iter().filter(|a| a.subnet_id.is_some()) {
            ignore_not_found(self.0.disassociate_route_table(&a.id).await)?;
        }
        self.0.delete_route_table(&seen.id).await
    }
}
