//! Which address a request counts as coming from, for sign-in throttling.
//!
//! The TCP peer, unless the peer is one of the configured trusted proxies
//! (`HIKESHI_TRUSTED_PROXIES`, none by default): then the client is the
//! right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
//! Entries further left were written by the client and prove nothing. IPv6
//! clients count by their /64, the block one subscriber usually holds.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use app::ports::ClientAddress;

/// An address or a CIDR block, as in `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Option<IpRange> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let addr = canonical(addr.parse().ok()?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then(|| IpRange {
            network: mask(addr, prefix),
            prefix,
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}

/// IPv4 seen through an IPv6 socket (`::ffff:192.0.2.1`) is IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The source a sign-in is counted against: an IPv4 address, an IPv6 /64,
/// or `unknown` when the router runs without a listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source(String);

impl Source {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn of(ip: IpAddr) -> Source {
        match canonical(ip) {
            IpAddr::V4(v4) => Source(v4.to_string()),
            IpAddr::V6(v6) => {
                let net = Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64));
                Source(format!("{net}/64"))
            }
        }
    }

    /// The source of a request from `from`, trusting `X-Forwarded-For` only
    /// when the peer is one of `trusted` proxies.
    pub fn resolve(from: &ClientAddress, trusted: &[IpRange]) -> Source {
        let Some(peer) = from.peer else {
            return Source("unknown".into());
        };
        let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
        if !is_trusted(peer) {
            return Source::of(peer);
        }
        // Right to left: each trusted proxy appended the address it saw.
        let hops = from
            .forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rev();
        for hop in hops {
            match hop.parse::<IpAddr>() {
                Ok(ip) if is_trusted(ip) => continue,
                Ok(ip) => return Source::of(ip),
                // Garbage where an address should be: stop believing the
                // header and count the last proxy that spoke.
                Err(_) => break,
            }
        }
        Source::of(peer)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, xff: &[&str]) -> ClientAddress {
        ClientAddress {
            peer: Some(peer.parse().unwrap()),
            forwarded_for: xff.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn ranges(list: &[&str]) -> Vec<IpRange> {
        list.iter().map(|r| IpRange::parse(r).unwrap()).collect()
    }

    #[test]
    fn ranges_parse_and_match() {
        let r = IpRange::parse("10.9.0.0/16").unwrap();
        assert!(r.contains("10.9.200.1".parse().unwrap()));
        assert!(!r.contains("10.10.0.1".parse().unwrap()));
        assert!(r.contains("::ffff:10.9.0.1".parse().unwrap()));
        assert!(
            IpRange::parse("192.0.2.1")
                .unwrap()
                .contains("192.0.2.1".parse().unwrap())
        );
        assert!(
            IpRange::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            IpRange::parse("2001:db8::/32")
                .unwrap()
                .contains("2001:db8:ff::1".parse().unwrap())
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "::ffff:10.0.0.0/104",
            "example.com",
            "10.0.0.1/x",
        ] {
            assert_eq!(IpRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_peer_counts_unless_it_is_a_trusted_proxy() {
        let none = ranges(&[]);
        let s = Source::resolve(&from("203.0.113.5", &["192.0.2.7"]), &none);
        assert_eq!(s.as_str(), "203.0.113.5");
        let proxies = ranges(&["127.0.0.1", "10.9.0.0/16"]);
        let s = Source::resolve(&from("203.0.113.5", &["192.0.2.7"]), &proxies);
        assert_eq!(s.as_str(), "203.0.113.5", "not a proxy: header ignored");
        let s = Source::resolve(
            &from("127.0.0.1", &["192.0.2.7, 203.0.113.5, 10.9.3.4"]),
            &proxies,
        );
        assert_eq!(s.as_str(), "203.0.113.5", "right-most untrusted hop");
        let s = Source::resolve(&from("127.0.0.1", &["192.0.2.7", "203.0.113.5"]), &proxies);
        assert_eq!(
            s.as_str(),
            "203.0.113.5",
            "several headers read as one list"
        );
        let s = Source::resolve(&from("127.0.0.1", &["junk, 10.9.0.1"]), &proxies);
        assert_eq!(s.as_str(), "127.0.0.1", "garbage: the proxy itself");
        let s = Source::resolve(&from("127.0.0.1", &[]), &proxies);
        assert_eq!(s.as_str(), "127.0.0.1");
        assert_eq!(
            Source::resolve(&ClientAddress::default(), &proxies).as_str(),
            "unknown"
        );
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        let none = ranges(&[]);
        let a = Source::resolve(&from("2001:db8:1:2::7", &[]), &none);
        let b = Source::resolve(&from("2001:db8:1:2:ffff::1", &[]), &none);
        let c = Source::resolve(&from("2001:db8:1:3::7", &[]), &none);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str(), "2001:db8:1:2::/64");
        let m = Source::resolve(&from("::ffff:192.0.2.9", &[]), &none);
        assert_eq!(m.as_str(), "192.0.2.9");
    }
}
