//! The least-privilege IAM policy of the identity that runs the provider,
//! generated from [`CALLS`]: every AWS operation the code calls (a unit
//! test holds the list to the SDK calls written in `cloud/aws/*.rs`, both
//! ways), the IAM actions each needs, and how far AWS lets a policy narrow
//! it: to objects tagged `todo:stack` (the stacks' own), to requests that
//! tag what they create, to names the stacks use, or not at all. The
//! acceptance suite logs every request the provider sends
//! (`TODO_CALL_LOG`) and `terraform-provider-todo iam-policy --check-calls`
//! fails when one is not in the policy.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::cloud::TAG_STACK;

/// How a policy can narrow an operation's actions. An operation may need
/// several: a create in an existing VPC needs the new subnet's request
/// tag ([`Scope::Create`]) and the VPC's own tag ([`Scope::Tagged`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Reads (describe, list, get): resource `*`. Most read actions of
    /// these services take no resource or tag condition.
    Read,
    /// Creates that tag in the same request: only when the request tags
    /// the new object `todo:stack` (`aws:RequestTag/todo:stack`).
    Create,
    /// Changes and deletes: only objects tagged `todo:stack`
    /// (`aws:ResourceTag/todo:stack`).
    Tagged,
    /// EC2's tagging of what a create makes (`ec2:CreateAction`).
    TagOnCreate,
    /// S3 bucket configuration: bucket tag conditions work only on buckets
    /// with ABAC switched on, so the policy names the buckets
    /// (`arn:aws:s3:::<bucket pattern>`).
    Bucket,
    /// Objects in those buckets (emptied on destroy with `force_destroy`).
    Objects,
    /// A resource type without tags whose names the stacks choose: the
    /// policy names them (`{stack}` is the stack pattern).
    Named(&'static str),
    /// No narrowing possible; the reason goes into the docs.
    Unscoped(&'static str),
}

/// One AWS operation the provider calls.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// The service as the SDK names it (`EC2`, `CloudWatch Logs`).
    pub service: &'static str,
    /// The operation as the SDK names it (`DescribeDBInstances`).
    pub operation: &'static str,
    /// The IAM actions it needs.
    pub actions: &'static [&'static str],
    /// How the policy narrows them.
    pub scopes: &'static [Scope],
}

/// Dashboards take no tags; the stack's is `<stack>-<region>`.
const DASHBOARD: &str = "arn:aws:cloudwatch::*:dashboard/{stack}-*";
/// Aliases take no tags; the stack's key is `alias/<stack>`.
const ALIAS: &str = "arn:aws:kms:*:*:alias/{stack}";
const ENI: &str = "network interfaces that EKS and load balancers leave in the stack's subnets carry no stack tag; the provider deletes only detached ones in its own subnets";
const K8S_LB: &str = "load balancers and target groups that Kubernetes made for the cluster's services carry the cluster's tag (kubernetes.io/cluster/<name>, a tag key no condition can match by pattern); the provider deletes only those before it deletes the cluster";
const INSTANCE_PROFILE: &str = "instance profiles EKS makes for a node role carry no stack tag; the provider removes only its own roles from them before deleting the roles";
const SUBSCRIPTION: &str = "subscriptions take no tags and sns:Unsubscribe takes no condition; the provider unsubscribes only from its own topics";

use Scope::{Bucket, Create, Named, Objects, Read, TagOnCreate, Tagged, Unscoped};

/// The table of calls: per service its name in the SDK and its IAM action
/// prefix, then per operation its scopes and, where they are not
/// `<prefix>:<Operation>`, its IAM actions.
macro_rules! calls {
    ($($service:literal as $prefix:literal {
        $($operation:ident: [$($scope:expr),+] $(=> [$($action:literal),+])?;)*
    })*) => {
        &[$($(Call {
            service: $service,
            operation: stringify!($operation),
            actions: calls!(@actions $prefix, $operation $(, [$($action),+])?),
            scopes: &[$($scope),+],
        },)*)*]
    };
    (@actions $prefix:literal, $operation:ident) => {
        &[concat!($prefix, ":", stringify!($operation))]
    };
    (@actions $prefix:literal, $operation:ident, [$($action:literal),+]) => {
        &[$($action),+]
    };
}

/// Every AWS operation the provider calls, by service: `Operation: [scopes]`,
/// and `=> [actions]` where the IAM actions are not `<prefix>:<Operation>`.
pub const CALLS: &[Call] = calls! {
    "cloudwatch" as "cloudwatch" {
        DeleteAlarms: [Tagged];
        DeleteDashboards: [Named(DASHBOARD)];
        DescribeAlarms: [Read];
        GetDashboard: [Read];
        PutDashboard: [Named(DASHBOARD)];
        PutMetricAlarm: [Create, Tagged];
        TagResource: [Tagged];
        UntagResource: [Tagged];
    }
    "EC2" as "ec2" {
        AllocateAddress: [Create];
        AssociateRouteTable: [Tagged];
        AttachInternetGateway: [Tagged];
        AuthorizeSecurityGroupEgress: [Tagged];
        AuthorizeSecurityGroupIngress: [Tagged];
        CreateFlowLogs: [Create, Tagged];
        CreateInternetGateway: [Create];
        CreateNatGateway: [Create, Tagged];
        CreateRoute: [Tagged];
        CreateRouteTable: [Create, Tagged];
        CreateSecurityGroup: [Create, Tagged];
        CreateSubnet: [Create, Tagged];
        CreateTags: [Tagged, TagOnCreate];
        CreateVpc: [Create];
        DeleteFlowLogs: [Tagged];
        DeleteInternetGateway: [Tagged];
        DeleteNatGateway: [Tagged];
        DeleteNetworkInterface: [Unscoped(ENI)];
        DeleteRoute: [Tagged];
        DeleteRouteTable: [Tagged];
        DeleteSecurityGroup: [Tagged];
        DeleteSubnet: [Tagged];
        DeleteTags: [Tagged];
        DeleteVpc: [Tagged];
        DescribeAddresses: [Read];
        DescribeAvailabilityZones: [Read];
        DescribeFlowLogs: [Read];
        DescribeInternetGateways: [Read];
        DescribeNatGateways: [Read];
        DescribeNetworkInterfaces: [Read];
        DescribeRouteTables: [Read];
        DescribeSecurityGroups: [Read];
        DescribeSubnets: [Read];
        DescribeVpcAttribute: [Read];
        DescribeVpcs: [Read];
        DetachInternetGateway: [Tagged];
        DisassociateRouteTable: [Tagged];
        ModifySubnetAttribute: [Tagged];
        ModifyVpcAttribute: [Tagged];
        ReleaseAddress: [Tagged];
        ReplaceRoute: [Tagged];
        RevokeSecurityGroupEgress: [Tagged];
        RevokeSecurityGroupIngress: [Tagged];
    }
    "EKS" as "eks" {
        AssociateAccessPolicy: [Tagged];
        CreateAccessEntry: [Create, Tagged];
        CreateAddon: [Create, Tagged];
        CreateCluster: [Create];
        CreateNodegroup: [Create, Tagged];
        DeleteAccessEntry: [Tagged];
        DeleteAddon: [Tagged];
        DeleteCluster: [Tagged];
        DeleteNodegroup: [Tagged];
        DescribeAccessEntry: [Read];
        DescribeAddon: [Read];
        DescribeAddonVersions: [Read];
        DescribeCluster: [Read];
        DescribeNodegroup: [Read];
        ListAccessEntries: [Read];
        ListAddons: [Read];
        ListAssociatedAccessPolicies: [Read];
        ListNodegroups: [Read];
        TagResource: [Tagged];
        UntagResource: [Tagged];
        UpdateAddon: [Tagged];
        UpdateClusterConfig: [Tagged];
        UpdateClusterVersion: [Tagged];
        UpdateNodegroupConfig: [Tagged];
        UpdateNodegroupVersion: [Tagged];
    }
    "Elastic Load Balancing" as "elasticloadbalancing" {
        DeleteLoadBalancer: [Unscoped(K8S_LB)];
        DescribeLoadBalancers: [Read];
        DescribeTags: [Read];
    }
    "Elastic Load Balancing v2" as "elasticloadbalancing" {
        DeleteLoadBalancer: [Unscoped(K8S_LB)];
        DeleteTargetGroup: [Unscoped(K8S_LB)];
        DescribeLoadBalancers: [Read];
        DescribeTags: [Read];
        DescribeTargetGroups: [Read];
    }
    "IAM" as "iam" {
        AttachRolePolicy: [Tagged];
        CreateOpenIDConnectProvider: [Create];
        CreateRole: [Create];
        DeleteOpenIDConnectProvider: [Tagged];
        DeleteRole: [Tagged];
        DeleteRolePolicy: [Tagged];
        DetachRolePolicy: [Tagged];
        GetOpenIDConnectProvider: [Read];
        GetRolePolicy: [Read];
        ListAttachedRolePolicies: [Read];
        ListInstanceProfilesForRole: [Read];
        ListOpenIDConnectProviders: [Read];
        ListRolePolicies: [Read];
        ListRoleTags: [Read];
        ListRoles: [Read];
        PutRolePolicy: [Tagged];
        RemoveRoleFromInstanceProfile: [Unscoped(INSTANCE_PROFILE)];
        TagOpenIDConnectProvider: [Tagged];
        TagRole: [Tagged];
        UntagOpenIDConnectProvider: [Tagged];
        UntagRole: [Tagged];
        UpdateAssumeRolePolicy: [Tagged];
    }
    "KMS" as "kms" {
        CreateAlias: [Named(ALIAS), Tagged];
        CreateKey: [Create];
        DeleteAlias: [Named(ALIAS), Tagged];
        DescribeKey: [Read];
        EnableKey: [Tagged];
        EnableKeyRotation: [Tagged];
        GetKeyPolicy: [Read];
        GetKeyRotationStatus: [Read];
        ListAliases: [Read];
        ListKeys: [Read];
        ListResourceTags: [Read];
        PutKeyPolicy: [Tagged];
        ScheduleKeyDeletion: [Tagged];
        TagResource: [Tagged];
        UntagResource: [Tagged];
    }
    "CloudWatch Logs" as "logs" {
        AssociateKmsKey: [Tagged];
        CreateLogGroup: [Create];
        DeleteLogGroup: [Tagged];
        DescribeLogGroups: [Read];
        ListTagsForResource: [Read];
        PutRetentionPolicy: [Tagged];
        TagResource: [Tagged];
        UntagResource: [Tagged];
    }
    "RDS" as "rds" {
        AddTagsToResource: [Tagged];
        CreateDBInstance: [Create, Tagged];
        CreateDBInstanceReadReplica: [Create, Tagged];
        CreateDBParameterGroup: [Create];
        CreateDBSubnetGroup: [Create, Tagged];
        DeleteDBInstance: [Tagged];
        DeleteDBParameterGroup: [Tagged];
        DeleteDBSubnetGroup: [Tagged];
        DescribeDBInstances: [Read];
        DescribeDBParameterGroups: [Read];
        DescribeDBParameters: [Read];
        DescribeDBSnapshots: [Read];
        DescribeDBSubnetGroups: [Read];
        ListTagsForResource: [Read];
        ModifyDBInstance: [Tagged];
        ModifyDBParameterGroup: [Tagged];
        ModifyDBSubnetGroup: [Tagged];
        RemoveTagsFromResource: [Tagged];
        ResetDBParameterGroup: [Tagged];
    }
    "S3" as "s3" {
        CreateBucket: [Bucket];
        DeleteBucket: [Bucket];
        DeleteBucketLifecycle: [Bucket] => ["s3:PutLifecycleConfiguration"];
        DeleteBucketPolicy: [Bucket];
        DeleteBucketTagging: [Bucket] => ["s3:PutBucketTagging"];
        DeleteObjects: [Objects] => ["s3:DeleteObject", "s3:DeleteObjectVersion"];
        GetBucketEncryption: [Bucket] => ["s3:GetEncryptionConfiguration"];
        GetBucketLifecycleConfiguration: [Bucket] => ["s3:GetLifecycleConfiguration"];
        GetBucketOwnershipControls: [Bucket];
        GetBucketPolicy: [Bucket];
        GetBucketTagging: [Bucket];
        GetBucketVersioning: [Bucket];
        GetPublicAccessBlock: [Bucket] => ["s3:GetBucketPublicAccessBlock"];
        HeadBucket: [Bucket] => ["s3:ListBucket"];
        ListObjectVersions: [Bucket] => ["s3:ListBucketVersions"];
        PutBucketEncryption: [Bucket] => ["s3:PutEncryptionConfiguration"];
        PutBucketLifecycleConfiguration: [Bucket] => ["s3:PutLifecycleConfiguration"];
        PutBucketOwnershipControls: [Bucket];
        PutBucketPolicy: [Bucket];
        PutBucketTagging: [Bucket];
        PutBucketVersioning: [Bucket];
        PutPublicAccessBlock: [Bucket] => ["s3:PutBucketPublicAccessBlock"];
    }
    "Secrets Manager" as "secretsmanager" {
        CreateSecret: [Create];
        DeleteSecret: [Tagged];
        ListSecrets: [Read];
        PutSecretValue: [Tagged];
        TagResource: [Tagged];
        UntagResource: [Tagged];
        UpdateSecret: [Tagged];
    }
    "SNS" as "sns" {
        CreateTopic: [Create];
        DeleteTopic: [Tagged];
        GetTopicAttributes: [Read];
        ListSubscriptionsByTopic: [Read];
        SetTopicAttributes: [Tagged];
        Subscribe: [Tagged];
        TagResource: [Tagged];
        Unsubscribe: [Unscoped(SUBSCRIPTION)];
        UntagResource: [Tagged];
    }
    "STS" as "sts" {
        GetCallerIdentity: [Read];
    }
    "Resource Groups Tagging API" as "tag" {
        GetResources: [Read];
    }
};

/// Permissions the services need from the caller on its behalf: not calls
/// of the provider (they never show in a call log), but without them the
/// calls that need them fail. Each: (Sid, actions, resource, condition).
fn implied(stacks: &str) -> Vec<Value> {
    let roles = format!("arn:aws:iam::*:role/todo/*/{stacks}/*");
    vec![
        json!({
            "Sid": "PassStackRolesToServices",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": roles,
            "Condition": {"StringEquals": {"iam:PassedToService": [
                "eks.amazonaws.com",
                "vpc-flow-logs.amazonaws.com"
            ]}}
        }),
        json!({
            "Sid": "ServiceLinkedRoles",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": [
                "eks.amazonaws.com",
                "eks-nodegroup.amazonaws.com",
                "rds.amazonaws.com"
            ]}}
        }),
        json!({
            "Sid": "StackKeysThroughServices",
            "Effect": "Allow",
            "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringLike": {
                format!("aws:ResourceTag/{TAG_STACK}"): stacks,
                "kms:ViaService": [
                    "eks.*.amazonaws.com",
                    "rds.*.amazonaws.com",
                    "secretsmanager.*.amazonaws.com"
                ]
            }}
        }),
        json!({
            "Sid": "RdsManagedMasterSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
            "Resource": "arn:aws:secretsmanager:*:*:secret:rds!*",
            "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": ["rds.amazonaws.com"]}}
        }),
    ]
}

/// The EC2 creates whose objects get their tags in the same request.
fn ec2_tagging_creates() -> Vec<&'static str> {
    CALLS
        .iter()
        .filter(|c| c.service == "EC2" && c.scopes.contains(&Create))
        .map(|c| c.operation)
        .collect()
}

/// The policy for the stacks whose names match `stacks` (an IAM wildcard
/// pattern: `*` every stack, `todo-prod` one, `todo-*` a family) and the
/// buckets whose names match `buckets`.
pub fn policy(stacks: &str, buckets: &str) -> Value {
    let mut by_sid: BTreeMap<String, (BTreeSet<&str>, Value, Option<Value>)> = BTreeMap::new();
    let tag_condition = |key: &str| json!({"StringLike": {format!("{key}/{TAG_STACK}"): stacks}});
    for c in CALLS {
        for scope in c.scopes {
            let (sid, resource, condition) = match scope {
                Read => ("Read".to_string(), json!("*"), None),
                Create => (
                    "CreateTaggedForAStack".to_string(),
                    json!("*"),
                    Some(tag_condition("aws:RequestTag")),
                ),
                Tagged => (
                    "ChangeObjectsOfAStack".to_string(),
                    json!("*"),
                    Some(tag_condition("aws:ResourceTag")),
                ),
                TagOnCreate => (
                    "Ec2TagOnCreate".to_string(),
                    json!("*"),
                    Some(json!({"StringEquals": {"ec2:CreateAction": ec2_tagging_creates()}})),
                ),
                Bucket => (
                    "Buckets".to_string(),
                    json!(format!("arn:aws:s3:::{buckets}")),
                    None,
                ),
                Objects => (
                    "BucketObjects".to_string(),
                    json!(format!("arn:aws:s3:::{buckets}/*")),
                    None,
                ),
                Named(template) => {
                    let resource = template.replace("{stack}", stacks);
                    let kind = template
                        .rsplit(':')
                        .next()
                        .and_then(|t| t.split('/').next())
                        .unwrap_or("named");
                    (format!("Named{}", pascal(kind)), json!(resource), None)
                }
                Unscoped(_) => ("NoConditionPossible".to_string(), json!("*"), None),
            };
            let entry = by_sid
                .entry(sid)
                .or_insert_with(|| (BTreeSet::new(), resource, condition));
            entry.0.extend(c.actions.iter().copied());
        }
    }
    let mut statements: Vec<Value> = by_sid
        .into_iter()
        .map(|(sid, (actions, resource, condition))| {
            let mut s = json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": resource,
            });
            if let Some(c) = condition {
                s["Condition"] = c;
            }
            s
        })
        .collect();
    statements.extend(implied(stacks));
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The most characters, whitespace aside, that a customer managed policy may
/// hold (IAM quotas); the whole policy is larger, so `--managed` cuts it.
pub const MANAGED_POLICY_LIMIT: usize = 6144;

/// The characters IAM counts against its quota: all but whitespace.
pub fn policy_size(document: &Value) -> usize {
    serde_json::to_string(document)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// `policy` cut into documents that each fit a customer managed policy:
/// statements packed in order, and a statement too big for one document
/// split by its actions (Sids `Name1`, `Name2`, ...). Together the documents
/// allow exactly what `policy` allows.
pub fn managed_policies(policy: &Value) -> Vec<Value> {
    let document =
        |statements: Vec<Value>| json!({"Version": "2012-10-17", "Statement": statements});
    let fits =
        |statements: &[Value]| policy_size(&document(statements.to_vec())) <= MANAGED_POLICY_LIMIT;
    let mut pieces: Vec<Value> = Vec::new();
    for statement in policy["Statement"].as_array().into_iter().flatten() {
        if fits(std::slice::from_ref(statement)) {
            pieces.push(statement.clone());
            continue;
        }
        let actions: Vec<Value> = statement["Action"].as_array().cloned().unwrap_or_default();
        let sid = statement["Sid"].as_str().unwrap_or("Part").to_string();
        let mut part: Vec<Value> = Vec::new();
        let mut n = 0;
        let piece = |actions: Vec<Value>, n: &mut usize| {
            *n += 1;
            let mut s = statement.clone();
            s["Sid"] = json!(format!("{sid}{n}"));
            s["Action"] = json!(actions);
            s
        };
        for action in actions {
            part.push(action);
            let mut probe = statement.clone();
            probe["Action"] = json!(part);
            probe["Sid"] = json!(format!("{sid}99"));
            if !fits(&[probe]) {
                let last = part.pop().unwrap_or_default();
                pieces.push(piece(std::mem::take(&mut part), &mut n));
                part.push(last);
            }
        }
        if !part.is_empty() {
            pieces.push(piece(part, &mut n));
        }
    }
    let mut documents: Vec<Vec<Value>> = vec![Vec::new()];
    for piece in pieces {
        let mut with = documents.last().cloned().unwrap_or_default();
        with.push(piece.clone());
        if fits(&with) {
            *documents.last_mut().expect("one document at least") = with;
        } else {
            documents.push(vec![piece]);
        }
    }
    documents.into_iter().map(document).collect()
}

fn pascal(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|f| f.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Every IAM action the policy allows.
pub fn actions_of(policy: &Value) -> BTreeSet<String> {
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["Action"].as_array().into_iter().flatten())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// What a call log holds: requests by (service, operation).
pub type Seen = BTreeMap<(String, String), u64>;

/// Reads every `TODO_CALL_LOG` file in `dir` (lines `<service>\t<operation>`).
pub fn read_call_logs(dir: &std::path::Path) -> std::io::Result<Seen> {
    let mut seen = Seen::new();
    for entry in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        for line in text.lines() {
            if let Some((service, operation)) = line.split_once('\t') {
                *seen
                    .entry((service.to_string(), operation.to_string()))
                    .or_default() += 1;
            }
        }
    }
    Ok(seen)
}

/// The requests in `seen` whose operation is not in [`CALLS`], or whose
/// actions the policy does not allow.
pub fn not_allowed(seen: &Seen) -> Vec<String> {
    let allowed = actions_of(&policy("*", "*"));
    seen.keys()
        .filter_map(|(service, operation)| {
            match CALLS
                .iter()
                .find(|c| c.service == service && c.operation == operation)
            {
                None => Some(format!("{service} {operation}: not in permissions::CALLS")),
                Some(c) => c
                    .actions
                    .iter()
                    .find(|a| !allowed.contains(**a))
                    .map(|a| format!("{service} {operation}: the policy lacks {a}")),
            }
        })
        .collect()
}

/// The docs page: how to use the policy, why some statements cannot be
/// narrowed, every call, and the policy for every stack.
pub fn guide() -> String {
    let mut out = String::from(
        "---\npage_title: \"Least-privilege IAM policy\"\nsubcategory: \"Guides\"\ndescription: |-\n  The IAM policy the identity that runs the provider needs.\n---\n\n# Least-privilege IAM policy\n\n",
    );
    out.push_str(
        "The identity that runs the provider needs the actions below and no others. The policy is generated from the provider's own list of the AWS operations it calls (`provider/src/cloud/aws/permissions.rs`, held to the code by a unit test), and the acceptance suite logs every request the provider sends and fails when one is not allowed here.\n\n\
Print it for your stacks and buckets (IAM wildcards):\n\n```sh\nterraform-provider-todo iam-policy --stacks 'todo-*' --buckets 'todo-*'\n```\n\n\
The whole policy is larger than the 6,144 characters a customer managed policy may hold (it fits an inline role policy's 10,240). `--managed` prints a JSON array of documents that each fit a managed policy and together allow exactly the same; attach them all to the identity.\n\n\
How it narrows each action, where AWS allows it:\n\n\
- **Read**: describe, list and get calls; most take no resource or condition.\n\
- **CreateTaggedForAStack**: creates must tag the new object `todo:stack` with a matching stack name in the same request (`aws:RequestTag`).\n\
- **ChangeObjectsOfAStack**: changes and deletes only of objects tagged `todo:stack` (`aws:ResourceTag`), so the identity cannot touch what other stacks or teams own. A create inside an existing object (a subnet in the VPC, a node group in the cluster) needs both.\n\
- **Buckets**, **BucketObjects**: by bucket name (S3's bucket tag conditions need ABAC switched on per bucket).\n\
- **Named...**: dashboards and key aliases take no tags; by name.\n\
- **PassStackRolesToServices**, **ServiceLinkedRoles**, **StackKeysThroughServices**, **RdsManagedMasterSecrets**: what EKS, RDS, Secrets Manager and VPC flow logs do with the caller's permissions.\n\n\
Not verified against AWS (the emulator does not enforce IAM): the `iam:PassedToService` and `iam:AWSServiceName` values and the KMS permissions the services use on the caller's behalf come from AWS documentation; check a first apply in a sandbox account with CloudTrail.\n\n## Actions that take no narrower scope\n\n",
    );
    // One line per reason, each action once (ELB v1 and v2 share actions).
    let mut unscoped: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in CALLS {
        for scope in c.scopes {
            if let Unscoped(why) = scope {
                let at = match unscoped.iter().position(|(w, _)| w == why) {
                    Some(at) => at,
                    None => {
                        unscoped.push((why, Vec::new()));
                        unscoped.len() - 1
                    }
                };
                for action in c.actions {
                    if !unscoped[at].1.contains(action) {
                        unscoped[at].1.push(action);
                    }
                }
            }
        }
    }
    for (why, actions) in unscoped {
        out.push_str(&format!("- `{}`: {why}.\n", actions.join("`, `")));
    }
    out.push_str(
        "\n## Every call\n\n| Service | Operation | IAM actions | Scope |\n|---|---|---|---|\n",
    );
    for c in CALLS {
        let scopes: Vec<String> = c
            .scopes
            .iter()
            .map(|s| match s {
                Named(t) => format!("named `{t}`"),
                Unscoped(_) => "none possible".to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        out.push_str(&format!(
            "| {} | {} | `{}` | {} |\n",
            c.service,
            c.operation,
            c.actions.join("`, `"),
            scopes.join(", ")
        ));
    }
    out.push_str("\n## The policy for every stack and bucket\n\n```json\n");
    out.push_str(&serde_json::to_string_pretty(&policy("*", "*")).unwrap_or_default());
    out.push_str("\n```\n");
    out
}

/// `terraform-provider-todo iam-policy [--stacks P] [--buckets P] [--managed]`
/// prints the policy (with `--managed`, a JSON array of documents that each
/// fit a customer managed policy); `iam-policy --check-calls DIR` checks the call logs in DIR
/// against it. Returns the process exit code.
pub fn cli(args: &[String]) -> u8 {
    let mut stacks = "*".to_string();
    let mut buckets = "*".to_string();
    let mut check: Option<String> = None;
    let mut managed = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--managed" {
            managed = true;
            continue;
        }
        match (a.as_str(), it.next()) {
            ("--stacks", Some(v)) => stacks = v.clone(),
            ("--buckets", Some(v)) => buckets = v.clone(),
            ("--check-calls", Some(v)) => check = Some(v.clone()),
            _ => {
                eprintln!(
                    "usage: terraform-provider-todo iam-policy [--stacks PATTERN] [--buckets PATTERN] [--managed]\n       terraform-provider-todo iam-policy --check-calls DIR"
                );
                return 2;
            }
        }
    }
    let Some(dir) = check else {
        let whole = policy(&stacks, &buckets);
        let out = if managed {
            json!(managed_policies(&whole))
        } else {
            whole
        };
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return 0;
    };
    let seen = match read_call_logs(std::path::Path::new(&dir)) {
        Ok(seen) => seen,
        Err(e) => {
            eprintln!("error: reading the call logs in {dir}: {e}");
            return 1;
        }
    };
    let requests: u64 = seen.values().sum();
    // Counted by (service, operation): ELB and ELB v2 share operation names.
    let used = seen
        .keys()
        .filter(|(s, o)| CALLS.iter().any(|c| c.service == s && c.operation == o))
        .count();
    println!(
        "the acceptance suite sent {requests} requests of {} operations; permissions::CALLS lists {}, {} of them exercised",
        seen.len(),
        CALLS.len(),
        used
    );
    let missing = not_allowed(&seen);
    if seen.is_empty() {
        eprintln!(
            "error: no request logged in {dir}: did the acceptance suite run with TODO_CALL_LOG?"
        );
        return 1;
    }
    if !missing.is_empty() {
        eprintln!("error: the IAM policy does not allow requests the provider sent:");
        for m in missing {
            eprintln!("  {m}");
        }
        return 1;
    }
    println!("every request is allowed by the generated IAM policy");
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_documents_fit_the_quota_and_allow_exactly_the_policy() {
        let whole = policy("todo-*", "todo-*");
        assert!(
            policy_size(&whole) > MANAGED_POLICY_LIMIT,
            "the whole policy fits one managed policy now: drop the split"
        );
        let parts = managed_policies(&whole);
        assert!(parts.len() >= 2, "{} documents", parts.len());
        let mut union = BTreeSet::new();
        let mut sids = BTreeSet::new();
        for part in &parts {
            assert!(
                policy_size(part) <= MANAGED_POLICY_LIMIT,
                "{}",
                policy_size(part)
            );
            union.extend(actions_of(part));
            for s in part["Statement"].as_array().expect("statements") {
                assert!(sids.insert(s["Sid"].to_string()), "Sid {} twice", s["Sid"]);
                // Each piece keeps its statement's resources and conditions.
                let original = whole["Statement"]
                    .as_array()
                    .expect("statements")
                    .iter()
                    .find(|o| {
                        s["Sid"]
                            .as_str()
                            .expect("sid")
                            .starts_with(o["Sid"].as_str().expect("sid"))
                            && o["Action"]
                                .as_array()
                                .expect("actions")
                                .contains(&s["Action"][0])
                    })
                    .expect("a piece of a statement of the policy");
                assert_eq!(s["Resource"], original["Resource"]);
                assert_eq!(s["Condition"], original["Condition"]);
            }
        }
        assert_eq!(union, actions_of(&whole));
    }

    /// The SDK client fields of `cloud/aws` and the services they call.
    const CLIENTS: &[(&str, &str)] = &[
        ("ec2", "EC2"),
        ("kms", "KMS"),
        ("iam", "IAM"),
        ("eks", "EKS"),
        ("rds", "RDS"),
        ("secrets", "Secrets Manager"),
        ("s3", "S3"),
        ("tagging", "Resource Groups Tagging API"),
        ("elbv2", "Elastic Load Balancing v2"),
        ("elb", "Elastic Load Balancing"),
        ("logs", "CloudWatch Logs"),
        ("sns", "SNS"),
        ("cloudwatch", "cloudwatch"),
        ("sts", "STS"),
    ];

    /// Methods of a client that send nothing.
    const NOT_CALLS: &[&str] = &["clone", "config", "iter"];

    const SOURCES: &[&str] = &[
        include_str!("balancers.rs"),
        include_str!("cluster.rs"),
        include_str!("config.rs"),
        include_str!("data.rs"),
        include_str!("kms.rs"),
        include_str!("mod.rs"),
        include_str!("monitoring.rs"),
        include_str!("network.rs"),
    ];

    /// Every `<client>.<method>(` in the sources (across line breaks), as
    /// (service, method without underscores, lowercase).
    fn calls_in_sources() -> BTreeSet<(&'static str, String)> {
        let mut found = BTreeSet::new();
        for src in SOURCES {
            let bytes = src.as_bytes();
            for (field, service) in CLIENTS {
                let mut from = 0;
                while let Some(at) = src[from..].find(field) {
                    let start = from + at;
                    from = start + field.len();
                    let before_ok = start == 0
                        || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
                    let rest = src[from..].trim_start();
                    let Some(rest) = rest.strip_prefix('.') else {
                        continue;
                    };
                    let rest = rest.trim_start();
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                        .collect();
                    let after = rest[name.len()..].trim_start();
                    if before_ok
                        && !name.is_empty()
                        && after.starts_with('(')
                        && !NOT_CALLS.contains(&name.as_str())
                    {
                        found.insert((*service, name.replace('_', "")));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_list_of_calls_is_the_calls_in_the_code() {
        let in_code = calls_in_sources();
        let listed: BTreeSet<(&str, String)> = CALLS
            .iter()
            .map(|c| (c.service, c.operation.to_ascii_lowercase()))
            .collect();
        let unlisted: Vec<_> = in_code.difference(&listed).collect();
        let uncalled: Vec<_> = listed.difference(&in_code).collect();
        assert!(
            unlisted.is_empty(),
            "SDK calls missing from CALLS: {unlisted:?}"
        );
        assert!(
            uncalled.is_empty(),
            "CALLS lists operations the code never calls: {uncalled:?}"
        );
    }

    #[test]
    fn every_call_is_in_the_policy_and_listed_once() {
        let policy = policy("*", "*");
        let allowed = actions_of(&policy);
        let mut keys = BTreeSet::new();
        for c in CALLS {
            assert!(
                keys.insert((c.service, c.operation)),
                "{} {} listed twice",
                c.service,
                c.operation
            );
            assert!(!c.scopes.is_empty(), "{} has no scope", c.operation);
            for a in c.actions {
                assert!(allowed.contains(*a), "{a} missing");
                let (prefix, name) = a.split_once(':').expect("service:Action");
                assert!(
                    !prefix.is_empty()
                        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                    "{a}"
                );
            }
        }
    }

    #[test]
    fn writes_are_narrowed_to_the_stacks_and_reads_only_read() {
        let policy = policy("todo-prod", "todo-prod-*");
        for s in policy["Statement"].as_array().unwrap() {
            let sid = s["Sid"].as_str().unwrap();
            let actions: Vec<&str> = s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            if sid == "Read" {
                for a in &actions {
                    let name = a.split_once(':').unwrap().1;
                    assert!(
                        ["Describe", "List", "Get"]
                            .iter()
                            .any(|p| name.starts_with(p)),
                        "{a} in Read"
                    );
                }
            }
            if sid == "ChangeObjectsOfAStack" {
                assert_eq!(
                    s["Condition"]["StringLike"]["aws:ResourceTag/todo:stack"],
                    "todo-prod"
                );
                assert!(
                    actions.contains(&"ec2:DeleteVpc") && actions.contains(&"rds:DeleteDBInstance")
                );
            }
            if sid == "CreateTaggedForAStack" {
                assert_eq!(
                    s["Condition"]["StringLike"]["aws:RequestTag/todo:stack"],
                    "todo-prod"
                );
            }
        }
        let text = policy.to_string();
        assert!(text.contains("arn:aws:s3:::todo-prod-*/*"), "{text}");
        assert!(
            text.contains("arn:aws:iam::*:role/todo/*/todo-prod/*"),
            "{text}"
        );
        assert!(text.contains("arn:aws:kms:*:*:alias/todo-prod"), "{text}");
        // Every write outside the tag and name scopes has a reason.
        let unscoped = &policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "NoConditionPossible")
            .unwrap()["Action"];
        assert!(unscoped.as_array().unwrap().len() <= 5, "{unscoped}");
    }

    #[test]
    fn a_request_outside_the_list_is_reported() {
        let mut seen = Seen::new();
        seen.insert(("EC2".into(), "DescribeVpcs".into()), 3);
        assert!(not_allowed(&seen).is_empty());
        seen.insert(("EC2".into(), "RunInstances".into()), 1);
        assert_eq!(
            not_allowed(&seen),
            ["EC2 RunInstances: not in permissions::CALLS"]
        );
    }
}
