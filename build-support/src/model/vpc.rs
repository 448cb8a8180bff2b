//! The VPC sparkform creates for a runtime (DSF's DataVpc without its defects), as the
//! `vpc: { ... }` field declares it. Shared by every runtime that can create one.

use crate::checks::{cidr, logs};
use crate::diag::Diags;
use crate::reader::Fields;
use crate::value::{Object, ValueKind};

#[derive(Clone, Debug)]
pub struct VpcSpec {
    pub cidr: cidr::Cidr,
    pub azs: u32,
    pub nat_gateways: u32,
    pub flow_log_retention_days: u32,
}

impl Default for VpcSpec {
    /// 10.0.0.0/16 over three zones, a NAT gateway in each, flow logs kept a week.
    fn default() -> Self {
        VpcSpec {
            cidr: cidr::Cidr {
                addr: 10 << 24,
                mask: 16,
            },
            azs: 3,
            nat_gateways: 3,
            flow_log_retention_days: 7,
        }
    }
}

/// Reads `vpc: { cidr, max_azs, nat_gateways, flow_log_retention_days }`.
pub fn read_vpc(o: &Object, diags: &mut Diags) -> VpcSpec {
    let mut spec = VpcSpec::default();
    let mut g = Fields::new(o, "vpc", diags);
    if let Some(c) = g.str("cidr", diags) {
        match cidr::parse_vpc_cidr(&c.value) {
            Ok(parsed) => spec.cidr = parsed,
            Err((m, h)) => diags.error_help(c.span, m, h),
        }
    }
    if let Some(n) = g.int("max_azs", diags, 1, 3) {
        spec.azs = n.value as u32;
    }
    spec.nat_gateways = spec.azs;
    if let Some(n) = g.int("nat_gateways", diags, 0, 3) {
        if n.value as u32 > spec.azs {
            diags.error_help(
                n.span,
                format!("{} NAT gateways for {} availability zones", n.value, spec.azs),
                format!("use at most one per zone ({})", spec.azs),
            );
        }
        spec.nat_gateways = n.value as u32;
    }
    if let Some(n) = g.get("flow_log_retention_days") {
        match &n.kind {
            ValueKind::Int(d) => match logs::check_retention(*d) {
                Ok(days) => spec.flow_log_retention_days = days,
                Err((m, h)) => diags.error_help(n.span, m, h),
            },
            _ => diags.error(
                n.span,
                format!("expected a number of days, found {}", n.kind.describe()),
            ),
        }
    }
    g.finish(diags);
    spec
}

/// Subnet ids of an existing network (`subnet-...`), each checked at its token.
pub fn check_subnet_ids(subnets: &[crate::reader::Spanned<String>], diags: &mut Diags) {
    for s in subnets {
        if !s.value.starts_with("subnet-") {
            diags.error_help(
                s.span,
                format!("`{}` is not a subnet id", s.value),
                "subnet ids look like \"subnet-0123456789abcdef0\"",
            );
        }
    }
}
