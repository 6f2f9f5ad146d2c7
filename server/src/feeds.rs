//! Feeds to sensors (seed 004: 配信・適用): the active indicators as a BIND
//! response-policy zone, Squid ACL files (`dstdomain` and `dst`) and plain
//! text or CSV, for a DNS server or a proxy to pull. Pure formatting; the
//! service decides what is active.

use std::net::IpAddr;

/// One active value: its kind and normal form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Active {
    Domain(String),
    Ip(IpAddr),
    Url(String),
    Hash(&'static str, String),
}

/// A BIND RPZ zone: each domain and its subdomains answer NXDOMAIN, each
/// address is refused as an answer (`rpz-ip`). The serial is the time of
/// the feed, so a secondary sees each change.
pub fn rpz(zone: &str, serial: u32, active: &[Active]) -> String {
    let mut out = format!(
        "$TTL 300\n@ IN SOA localhost. hostmaster.localhost. ( {serial} 3600 600 86400 300 )\n  IN NS localhost.\n; Hikeshi: {} active indicator(s) of {zone}\n",
        active.len()
    );
    for a in active {
        match a {
            Active::Domain(d) => {
                out.push_str(&format!("{d} CNAME .\n*.{d} CNAME .\n"));
            }
            Active::Ip(ip) => out.push_str(&format!("{} CNAME .\n", rpz_ip(ip))),
            Active::Url(_) | Active::Hash(..) => {}
        }
    }
    out
}

/// `32.7.100.51.198.rpz-ip` for 198.51.100.7; IPv6 in the `zz` notation.
fn rpz_ip(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("32.{}.{}.{}.{}.rpz-ip", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let groups: Vec<String> = v6
                .segments()
                .iter()
                .rev()
                .map(|s| format!("{s:x}"))
                .collect();
            format!("128.{}.rpz-ip", groups.join("."))
        }
    }
}

/// Squid `dstdomain`: a leading dot covers the subdomains.
pub fn squid_domains(active: &[Active]) -> String {
    let mut out =
        String::from("# Hikeshi: acl hikeshi_block dstdomain \"/etc/squid/hikeshi-domains.txt\"\n");
    for a in active {
        if let Active::Domain(d) = a {
            out.push_str(&format!(".{d}\n"));
        }
    }
    out
}

/// Squid `dst`: one address per line.
pub fn squid_ips(active: &[Active]) -> String {
    let mut out =
        String::from("# Hikeshi: acl hikeshi_block_ip dst \"/etc/squid/hikeshi-ips.txt\"\n");
    for a in active {
        if let Active::Ip(ip) = a {
            out.push_str(&format!("{ip}\n"));
        }
    }
    out
}

/// `type,value`, one per line, with a header; values quoted as CSV needs.
pub fn csv(active: &[Active]) -> String {
    let mut out = String::from("type,value\n");
    for a in active {
        let (t, v) = match a {
            Active::Domain(d) => ("domain", d.clone()),
            Active::Ip(ip) => ("ip", ip.to_string()),
            Active::Url(u) => ("url", u.clone()),
            Active::Hash(algo, h) => (*algo, h.clone()),
        };
        let quoted = if v.contains([',', '"', '\n']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v
        };
        out.push_str(&format!("{t},{quoted}\n"));
    }
    out
}

/// One value per line, of every kind.
pub fn text(active: &[Active]) -> String {
    active
        .iter()
        .map(|a| match a {
            Active::Domain(d) => d.clone(),
            Active::Ip(ip) => ip.to_string(),
            Active::Url(u) => u.clone(),
            Active::Hash(_, h) => h.clone(),
        })
        .map(|v| v + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Active> {
        vec![
            Active::Domain("evil.example".into()),
            Active::Ip("198.51.100.7".parse().unwrap()),
            Active::Ip("2001:db8::1".parse().unwrap()),
            Active::Url("http://evil.example/a,b".into()),
            Active::Hash("md5", "d41d8cd98f00b204e9800998ecf8427e".into()),
        ]
    }

    #[test]
    fn the_rpz_zone_blocks_names_their_subdomains_and_addresses() {
        let z = rpz("hikeshi.rpz", 42, &sample());
        assert!(z.contains("( 42 3600"));
        assert!(z.contains("\nevil.example CNAME .\n*.evil.example CNAME .\n"));
        assert!(z.contains("\n32.7.100.51.198.rpz-ip CNAME .\n"));
        assert!(
            z.contains("\n128.1.0.0.0.0.0.db8.2001.rpz-ip CNAME .\n"),
            "{z}"
        );
        assert!(!z.contains("d41d8cd9"), "hashes are not for DNS");
    }

    #[test]
    fn squid_and_csv_files_hold_their_kinds() {
        assert_eq!(
            squid_domains(&sample()).lines().nth(1),
            Some(".evil.example")
        );
        assert_eq!(
            squid_ips(&sample()).lines().skip(1).collect::<Vec<_>>(),
            ["198.51.100.7", "2001:db8::1"]
        );
        let c = csv(&sample());
        assert!(c.contains("url,\"http://evil.example/a,b\"\n"), "{c}");
        assert!(c.contains("md5,d41d8cd98f00b204e9800998ecf8427e\n"));
        assert_eq!(text(&sample()).lines().count(), 5);
    }
}
