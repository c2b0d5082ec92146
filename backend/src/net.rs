//! Where the server may connect on a user's behalf (webhook endpoints, and later mail servers):
//! public addresses only, checked when connecting — the resolver of the HTTP client drops every
//! address that is not public, so a name that resolves to a public address when saved and to
//! 127.0.0.1 later (DNS rebinding) still cannot reach the inside. Redirects are never followed
//! and no proxy from the environment is used. `WEBHOOKS_ALLOW_PRIVATE=true` lifts the rule (and
//! allows `http://`) for installations whose endpoints live on their own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (CGNAT), unspecified, broadcast, multicast, documentation or reserved; IPv6 addresses that
/// carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                    // 0.0.0.0/8 "this network"
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT) 100.64.0.0/10
        || (a == 169 && b == 254)               // link-local (cloud metadata)
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 88 && c == 99)     // 6to4 relay anycast
        || (a == 192 && b == 168)               // private
        || (a == 198 && (b == 18 || b == 19))   // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // ::/96 (unspecified, loopback and the old IPv4-compatible form).
    if s[..6].iter().all(|x| *x == 0) {
        return s[6] != 0 && is_public_v4(embedded(s[6], s[7]));
    }
    // NAT64 64:ff9b::/96 carries an IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|x| *x == 0) {
        return is_public_v4(embedded(s[6], s[7]));
    }
    // 6to4 2002::/16 carries one in its next 32 bits.
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    !((s[0] & 0xfe00) == 0xfc00          // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80     // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0     // site-local (deprecated) fec0::/10
        || (s[0] & 0xff00) == 0xff00     // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4].iter().all(|x| *x == 0))) // discard-only 100::/64
}

fn embedded(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// Checks a URL the server will call later: `https://` with a host and no credentials in it, and
/// — unless private addresses are allowed — a host that is not a non-public address or a local
/// name. (Names are checked again, against what they resolve to, on every connection.)
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|_| "must be an absolute URL such as https://example.com/hooks".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("must start with https://".to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    if url.fragment().is_some() {
        return Err("must not contain a #fragment".to_owned());
    }
    let host = url.host().ok_or_else(|| "must name a host".to_owned())?;
    check_host(&host, allow_private)?;
    Ok(url)
}

/// Checks a host the server will connect to later (a URL's, a mail server's): unless private
/// addresses are allowed, not a non-public address literal and not a local name.
pub fn check_host(host: &url::Host<&str>, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let literal = match host {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(*v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(*v6)),
        url::Host::Domain(_) => None,
    };
    if literal.is_some_and(|ip| !is_public(ip)) {
        return Err("must be a public address, not a private, loopback or link-local one".to_owned());
    }
    if let url::Host::Domain(name) = host {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let local = name == "localhost"
            || name.ends_with(".localhost")
            || name.ends_with(".local")
            || name.ends_with(".internal")
            || !name.contains('.');
        if local {
            return Err("must be a public host name, not a local one".to_owned());
        }
    }
    Ok(())
}

/// Resolves `host` for a connection made now and keeps the first address that may be reached
/// (public, unless private ones are allowed): the caller connects to exactly that address, so
/// what was checked is what is reached.
pub async fn resolve_guarded(host: &str, port: u16, allow_private: bool) -> Result<SocketAddr, String> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host} could not be resolved: {e}"))?
        .collect();
    found
        .into_iter()
        .find(|a| allow_private || is_public(a.ip()))
        .ok_or_else(|| NotPublic(host.to_owned()).to_string())
}

/// The address refused by the resolver, as the connection error says.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to addresses that are not public")]
struct NotPublic(String);

/// A resolver that keeps only public addresses (all of them when private ones are allowed).
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An HTTP client for calls to user-given URLs: guarded resolution, no redirects, no proxy, a
/// connect timeout and an overall timeout per request.
pub fn guarded_client(allow_private: bool, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .timeout(timeout)
        .user_agent(concat!("Rapport-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|e| panic!("the HTTP client cannot be built: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_addresses_are_not_public() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(!is_public(bad.parse().unwrap()), "{bad}");
        }
        for good in [
            "1.1.1.1",
            "93.184.216.34",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(good.parse().unwrap()), "{good}");
        }
    }

    #[test]
    fn urls_must_be_https_and_public() {
        assert!(check_url("https://hooks.example.com/rapport", false).is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "ftp://example.com",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://0.0.0.0/",
            "https://localhost:8080/",
            "https://printer.local/",
            "https://intranet/",
            "https://user:pw@example.com/",
            "https://example.com/#x",
            "not a url",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_url("ftp://127.0.0.1/", true).is_err());
    }
}
