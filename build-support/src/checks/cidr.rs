//! IPv4 CIDR blocks for the default VPC.

use super::Problem;

/// A parsed `a.b.c.d/n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub addr: u32,
    pub mask: u8,
}

impl Cidr {
    /// The `index`-th block of prefix length `mask` inside this one, starting at `offset`.
    pub fn subnet(&self, mask: u8, offset: u32, index: u32) -> Cidr {
        let size = 1u32 << (32 - mask);
        Cidr {
            addr: self.addr + offset + index * size,
            mask,
        }
    }

    pub fn size(&self) -> u32 {
        1u32 << (32 - self.mask)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = self.addr.to_be_bytes();
        write!(f, "{}.{}.{}.{}/{}", a[0], a[1], a[2], a[3], self.mask)
    }
}

/// Parses an IPv4 CIDR block of any netmask, refusing host bits.
pub fn parse_cidr(text: &str) -> Result<Cidr, Problem> {
    let example = "write it like \"10.0.0.0/16\"".to_string();
    let Some((ip, mask)) = text.split_once('/') else {
        return Err((
            format!("`{text}` is not a CIDR block: the `/netmask` is missing"),
            example,
        ));
    };
    let octets: Vec<_> = ip.split('.').map(|o| o.parse::<u8>()).collect();
    if octets.len() != 4 || octets.iter().any(|o| o.is_err()) {
        return Err((format!("`{ip}` is not an IPv4 address"), example));
    }
    let addr = octets
        .iter()
        .fold(0u32, |acc, o| (acc << 8) | u32::from(*o.as_ref().unwrap_or(&0)));
    let mask = match mask.parse::<u8>() {
        Ok(m) if m <= 32 => m,
        _ => {
            return Err((
                format!("`{mask}` is not a netmask"),
                "netmasks go from /0 to /32".into(),
            ))
        }
    };
    let aligned = if mask == 0 { 0 } else { addr & (u32::MAX << (32 - mask)) };
    if aligned != addr {
        let fixed = Cidr { addr: aligned, mask };
        return Err((
            format!("`{text}` has host bits set"),
            format!("did you mean \"{fixed}\"?"),
        ));
    }
    Ok(Cidr { addr, mask })
}

/// Parses and checks a VPC CIDR: valid syntax, aligned, netmask /16 to /24 (AWS allows
/// /16 to /28 for a VPC; the subnets carved from it must be /28 or larger).
pub fn parse_vpc_cidr(text: &str) -> Result<Cidr, Problem> {
    let Some((_, mask)) = text.split_once('/') else {
        return parse_cidr(text);
    };
    if let Ok(mask) = mask.parse::<u8>() {
        if mask > 28 {
            return Err((
                format!("The VPC netmask should be at least 28, netmask provided is {mask}"),
                "use a netmask from /16 to /24, e.g. \"10.0.0.0/16\"".into(),
            ));
        }
        if mask > 24 {
            return Err((
                format!("netmask /{mask} leaves no room for the subnets: public subnets are /{}, and AWS's smallest subnet is /28", mask + 4),
                "use a netmask from /16 to /24".into(),
            ));
        }
        if mask < 16 {
            return Err((
                format!("netmask /{mask} is larger than AWS allows for a VPC"),
                "use a netmask from /16 to /24".into(),
            ));
        }
    }
    parse_cidr(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        let c = parse_vpc_cidr("10.0.0.0/16").unwrap();
        assert_eq!(c.subnet(18, 0, 1).to_string(), "10.0.64.0/18");
        assert!(parse_vpc_cidr("10.0.0.0/29").unwrap_err().0.contains("at least 28"));
        assert!(parse_vpc_cidr("10.0.0.1/16").unwrap_err().1.contains("10.0.0.0/16"));
        assert!(parse_vpc_cidr("10.0.0/16").is_err());
        assert!(parse_vpc_cidr("10.0.0.0").is_err());
        assert!(parse_vpc_cidr("10.0.0.0/26").is_err());
    }
}
