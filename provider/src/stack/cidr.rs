//! The default subnet CIDR allocation.
//!
//! The VPC is cut into 16 equal blocks (prefix + 4). The zone whose name ends
//! in the letter with index *i* (`a` = 0 ... `h` = 7) gets block *i* for its
//! private subnet and block *8 + i* for its public subnet. The allocation
//! depends on nothing but the zone's own letter, so adding, removing or
//! reordering zones never renumbers (and so never recreates) the others.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

/// How many more prefix bits a subnet has than the VPC.
pub const SUBNET_NEWBITS: u8 = 4;
/// The longest VPC prefix the default allocation supports (subnets /28).
pub const MAX_VPC_PREFIX: u8 = 24;
/// The shortest VPC prefix AWS allows.
pub const MIN_VPC_PREFIX: u8 = 16;

/// Why a zone gets no default CIDR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// The zone name does not end in a letter `a` to `h`.
    #[error(
        "zone {0:?} does not end in a letter from a to h, so it has no default subnet block; set public_subnet_cidrs and private_subnet_cidrs explicitly"
    )]
    ZoneLetter(String),
    /// The VPC is too small to cut into 16 subnets.
    #[error(
        "a /{0} VPC is too small to cut into 16 subnets; use /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"
    )]
    TooSmall(u8),
}

/// The letter index of a zone (`us-east-1c` -> 2).
pub fn zone_index(zone: &str) -> Result<u8, AllocationError> {
    match zone.chars().last() {
        Some(c @ 'a'..='h') => Ok(c as u8 - b'a'),
        _ => Err(AllocationError::ZoneLetter(zone.to_string())),
    }
}

fn block(vpc: &Ipv4Net, index: u8) -> Result<Ipv4Net, AllocationError> {
    if vpc.prefix_len() > MAX_VPC_PREFIX {
        return Err(AllocationError::TooSmall(vpc.prefix_len()));
    }
    vpc.subnets(vpc.prefix_len() + SUBNET_NEWBITS)
        .ok()
        .and_then(|mut it| it.nth(usize::from(index)))
        .ok_or(AllocationError::TooSmall(vpc.prefix_len()))
}

/// The default public subnet CIDR of `zone`.
pub fn default_public(vpc: &Ipv4Net, zone: &str) -> Result<Ipv4Net, AllocationError> {
    block(vpc, 8 + zone_index(zone)?)
}

/// The default private subnet CIDR of `zone`.
pub fn default_private(vpc: &Ipv4Net, zone: &str) -> Result<Ipv4Net, AllocationError> {
    block(vpc, zone_index(zone)?)
}

/// Subnet CIDRs by availability zone.
pub type CidrMap = BTreeMap<String, String>;

/// Default (public, private) CIDR maps for `zones`.
pub fn default_maps(
    vpc: &Ipv4Net,
    zones: &[String],
) -> Result<(CidrMap, CidrMap), AllocationError> {
    let mut public = BTreeMap::new();
    let mut private = BTreeMap::new();
    for zone in zones {
        public.insert(zone.clone(), default_public(vpc, zone)?.to_string());
        private.insert(zone.clone(), default_private(vpc, zone)?.to_string());
    }
    Ok((public, private))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn documented_layout() {
        let vpc = net("10.0.0.0/16");
        assert_eq!(
            default_private(&vpc, "us-east-1a").unwrap().to_string(),
            "10.0.0.0/20"
        );
        assert_eq!(
            default_public(&vpc, "us-east-1a").unwrap().to_string(),
            "10.0.128.0/20"
        );
        assert_eq!(
            default_private(&vpc, "us-east-1c").unwrap().to_string(),
            "10.0.32.0/20"
        );
        assert_eq!(
            default_public(&vpc, "us-east-1f").unwrap().to_string(),
            "10.0.208.0/20"
        );
        assert_eq!(
            default_public(&net("10.1.2.0/24"), "eu-west-1b")
                .unwrap()
                .to_string(),
            "10.1.2.144/28"
        );
    }

    #[test]
    fn adding_a_zone_keeps_the_others() {
        let vpc = net("10.0.0.0/16");
        let two: Vec<String> = vec!["us-east-1a".into(), "us-east-1b".into()];
        let three: Vec<String> = vec![
            "us-east-1c".into(),
            "us-east-1a".into(),
            "us-east-1b".into(),
        ];
        let (pub2, priv2) = default_maps(&vpc, &two).unwrap();
        let (pub3, priv3) = default_maps(&vpc, &three).unwrap();
        for zone in &two {
            assert_eq!(pub2[zone], pub3[zone]);
            assert_eq!(priv2[zone], priv3[zone]);
        }
    }

    #[test]
    fn subnets_never_overlap() {
        let vpc = net("172.16.0.0/20");
        let zones: Vec<String> = "abcdefgh".chars().map(|c| format!("x-y-1{c}")).collect();
        let (public, private) = default_maps(&vpc, &zones).unwrap();
        let all: Vec<Ipv4Net> = public
            .values()
            .chain(private.values())
            .map(|s| net(s))
            .collect();
        for (i, a) in all.iter().enumerate() {
            assert!(vpc.contains(a));
            for b in &all[i + 1..] {
                assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
            }
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            zone_index("us-east-1z"),
            Err(AllocationError::ZoneLetter("us-east-1z".into()))
        );
        assert_eq!(
            default_public(&net("10.0.0.0/26"), "us-east-1a"),
            Err(AllocationError::TooSmall(26))
        );
    }
}
