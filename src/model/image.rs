//! Container image references, parsed by the grammar Docker and ECS use
//! (distribution/reference: `[HOST[:PORT]/]PATH[:TAG][@DIGEST]`), and the registry each one
//! names. A private ECR registry gets pull permissions in the execution role, so its host is
//! matched against the documented ECR host forms exactly (Amazon ECR user guide, "Making
//! requests to Amazon ECR registries"):
//!
//! - `ACCOUNT.dkr.ecr.REGION.amazonaws.com` (`.amazonaws.com.cn` in the China regions),
//! - `ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com` (FIPS endpoints),
//! - `ACCOUNT.dkr-ecr.REGION.on.aws` (dual-stack IPv4/IPv6 endpoints),
//! - `ACCOUNT.dkr-ecr-fips.REGION.on.aws` (FIPS dual-stack endpoints, AWS General Reference,
//!   "Amazon ECR endpoints and quotas"),
//!
//! and a host that looks like ECR but matches none of them is an error, never a guess. ECR
//! Public (`public.ecr.aws`) and every other registry need no IAM permissions.

use serde::Serialize;

use crate::validate::arn;

/// The longest image reference ECS accepts.
pub const MAX_IMAGE: usize = 255;

/// A registry an image is pulled from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Registry {
    /// Docker Hub (no host in the reference).
    DockerHub,
    /// A private Amazon ECR registry.
    Ecr(EcrRepository),
    /// Amazon ECR Public.
    EcrPublic,
    /// Any other registry, by host.
    Other { host: String },
}

/// A private ECR repository an image comes from (the execution role may pull from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcrRepository {
    pub account: String,
    pub region: String,
    pub name: String,
    /// Which documented host form the image uses (`standard`, `fips`, `dual-stack`).
    pub endpoint: &'static str,
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub registry: Registry,
    /// The repository path within the registry.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Why an image reference is not valid, with what would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageError {
    pub message: String,
    pub help: String,
}

fn err(message: impl Into<String>, help: impl Into<String>) -> ImageError {
    ImageError {
        message: message.into(),
        help: help.into(),
    }
}

const SHAPE: &str =
    "an image is [HOST[:PORT]/]PATH[:TAG][@sha256:DIGEST], e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2 or nginx:1.27";

/// `[a-z0-9]+` groups joined by `.`, `_`, `__` or dashes (distribution/reference `path-component`).
fn path_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__`, or one or more `-`.
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start || i >= b.len() || !is_alnum(b[i]) {
            return false;
        }
    }
    true
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port.
fn host(s: &str) -> bool {
    let (name, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some((inner, after)) = rest.split_once(']') else {
            return false;
        };
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            p => match p.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return false,
            },
        }
    } else {
        match s.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (s, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        if name.is_empty() {
            return true;
        }
    }
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

fn tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn digest(s: &str) -> bool {
    let Some((alg, hex)) = s.split_once(':') else {
        return false;
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '-', '_']).all(|c| {
            let b = c.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphabetic()
                && b.iter().all(|x| x.is_ascii_alphanumeric())
        });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Whether a host is meant to be a private ECR registry (and must then match a known form).
fn looks_like_ecr(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.contains(".dkr.ecr") || h.contains(".dkr-ecr") || h.contains("dkr.ecr.")
}

/// Matches the documented private ECR host forms.
fn ecr_host(host: &str) -> Option<(String, String, &'static str)> {
    let labels: Vec<&str> = host.split('.').collect();
    let account = *labels.first()?;
    if account.len() != 12 || !account.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let region_ok = arn::is_region;
    let (endpoint, region) = match labels.as_slice() {
        [_, "dkr", "ecr", region, "amazonaws", "com"] if !region.starts_with("cn-") => {
            ("standard", *region)
        }
        [_, "dkr", "ecr", region, "amazonaws", "com", "cn"] if region.starts_with("cn-") => {
            ("standard", *region)
        }
        [_, "dkr", "ecr-fips", region, "amazonaws", "com"] => ("fips", *region),
        [_, "dkr-ecr", region, "on", "aws"] => ("dual-stack", *region),
        [_, "dkr-ecr-fips", region, "on", "aws"] => ("fips-dual-stack", *region),
        _ => return None,
    };
    region_ok(region).then(|| (account.to_string(), region.to_string(), endpoint))
}

/// ECR's repository naming rule: 2–256 characters of path components of lower-case letters and
/// digits separated by `.`, `_` or `-`, joined by `/` (ECR API `CreateRepository`).
fn ecr_repository_name(path: &str) -> bool {
    (2..=256).contains(&path.len()) && path.split('/').all(path_component)
}

/// Parses an image reference; errors say what is wrong and what would be valid.
///
/// Validation, the model and the targets each parse every task's image, and the tasks of a
/// spec mostly share one (`defaults.image`): the last reference parsed on each thread is
/// remembered, so a repeat costs a comparison and a copy rather than a parse.
pub fn parse(image: &str) -> Result<ImageRef, ImageError> {
    type Last = Option<(String, Result<ImageRef, ImageError>)>;
    thread_local! {
        static LAST: std::cell::RefCell<Last> = const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((text, parsed)) if text == image => parsed.clone(),
        _ => {
            let parsed = parse_uncached(image);
            *last = Some((image.to_string(), parsed.clone()));
            parsed
        }
    })
}

fn parse_uncached(image: &str) -> Result<ImageRef, ImageError> {
    if image.is_empty() || image.len() > MAX_IMAGE {
        return Err(err(
            format!(
                "the image reference is {} characters; ECS accepts 1–{MAX_IMAGE}",
                image.len()
            ),
            SHAPE,
        ));
    }
    if let Some(c) = image
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '$' | '{' | '}' | '*' | '?' | '\\'))
    {
        return Err(err(
            format!("`{image}` is not an image reference: it contains {c:?}"),
            format!("{SHAPE}; an image reference holds no spaces, `$`, braces or wildcards"),
        ));
    }
    let (rest, digest_part) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest_part {
        if !digest(d) {
            return Err(err(
                format!("`{d}` in `{image}` is not an image digest"),
                "a digest is ALGORITHM:HEX with at least 32 hex digits, e.g. @sha256:…",
            ));
        }
    }
    // The host is the first component when it looks like one (Docker's rule).
    let (host_part, remainder) = match rest.split_once('/') {
        Some((first, after))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), after)
        }
        _ => (None, rest),
    };
    // A tag follows the last `:` of the path part.
    let (path, tag_part) = match remainder.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, Some(t)),
        _ => (remainder, None),
    };
    if let Some(t) = tag_part {
        if !tag(t) {
            return Err(err(
                format!("`{t}` in `{image}` is not an image tag"),
                "a tag is 1–128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
            ));
        }
    }
    if path.is_empty() || !path.split('/').all(path_component) {
        return Err(err(
            format!("`{path}` in `{image}` is not a repository path"),
            format!("{SHAPE}; path components are lower-case letters and digits separated by `.`, `_` or `-`"),
        ));
    }
    let registry = match host_part {
        None => Registry::DockerHub,
        Some(h) if !host(h) => {
            return Err(err(
                format!("`{h}` in `{image}` is not a registry host"),
                SHAPE,
            ))
        }
        Some(h) if h.eq_ignore_ascii_case("public.ecr.aws") => Registry::EcrPublic,
        Some(h) if looks_like_ecr(h) => match ecr_host(h) {
            Some((account, region, endpoint)) => {
                if !ecr_repository_name(path) {
                    return Err(err(
                        format!("`{path}` is not an ECR repository name"),
                        "ECR repository names are 2–256 lower-case letters, digits and `.`, `_`, `-`, `/` separators",
                    ));
                }
                Registry::Ecr(EcrRepository {
                    account,
                    region,
                    name: path.to_string(),
                    endpoint,
                })
            }
            None => {
                return Err(err(
                    format!("`{h}` looks like a private Amazon ECR registry but is not one of its host names"),
                    "ECR hosts are ACCOUNT.dkr.ecr.REGION.amazonaws.com (.amazonaws.com.cn in China), ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com, ACCOUNT.dkr-ecr.REGION.on.aws or ACCOUNT.dkr-ecr-fips.REGION.on.aws, with a 12-digit account and a region such as eu-west-1",
                ))
            }
        },
        Some(h) => Registry::Other {
            host: h.to_string(),
        },
    };
    Ok(ImageRef {
        registry,
        path: path.to_string(),
        tag: tag_part.map(str::to_string),
        digest: digest_part.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_remembered_image_is_the_parsed_one() {
        let images = [
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            "nginx:latest",
            "bad image",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:2",
        ];
        for _ in 0..2 {
            for image in images {
                assert_eq!(parse(image), parse_uncached(image), "{image}");
                assert_eq!(parse(image), parse_uncached(image), "{image} again");
            }
        }
    }

    fn ecr(image: &str) -> EcrRepository {
        match parse(image).unwrap().registry {
            Registry::Ecr(r) => r,
            other => panic!("{image}: {other:?}"),
        }
    }

    #[test]
    fn every_documented_ecr_host_form_names_its_repository() {
        let r = ecr("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest");
        assert_eq!(
            (
                r.account.as_str(),
                r.region.as_str(),
                r.name.as_str(),
                r.endpoint
            ),
            ("123456789012", "eu-west-1", "team/app", "standard")
        );
        let r = ecr("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_eq!((r.region.as_str(), r.endpoint), ("us-gov-west-1", "fips"));
        let r = ecr("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1");
        assert_eq!((r.region.as_str(), r.endpoint), ("cn-north-1", "standard"));
        let r = ecr("123456789012.dkr-ecr.ap-southeast-2.on.aws/app:1");
        assert_eq!(
            (r.region.as_str(), r.endpoint),
            ("ap-southeast-2", "dual-stack")
        );
        let r = ecr("123456789012.dkr-ecr-fips.us-east-2.on.aws/app:1");
        assert_eq!(
            (r.region.as_str(), r.endpoint),
            ("us-east-2", "fips-dual-stack")
        );
    }

    #[test]
    fn other_registries_need_no_permissions() {
        assert_eq!(
            parse("public.ecr.aws/nginx/nginx:1").unwrap().registry,
            Registry::EcrPublic
        );
        assert_eq!(parse("nginx:latest").unwrap().registry, Registry::DockerHub);
        assert_eq!(
            parse("library/nginx").unwrap().registry,
            Registry::DockerHub
        );
        assert_eq!(
            parse("ghcr.io/org/app:v1").unwrap().registry,
            Registry::Other {
                host: "ghcr.io".into()
            }
        );
        assert_eq!(
            parse("localhost:5000/app").unwrap().registry,
            Registry::Other {
                host: "localhost:5000".into()
            }
        );
    }

    #[test]
    fn hostile_and_malformed_references_are_rejected() {
        for bad in [
            "123456789012.dkr.ecr.${require('child_process')['execSync']('id > PWNED')}.amazonaws.com/app:latest",
            "123456789012.dkr.ecr.${SomeLogicalId}.amazonaws.com/app:latest",
            "123456789012.dkr.ecr.*.amazonaws.com/*:tag",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/*:tag",
            "12345.dkr.ecr.eu-west-1.amazonaws.com/app",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.com/app",
            "123456789012.dkr.ecr.eu-west.amazonaws.com/app",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com/app",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/App",
            "registry.example.com/team/app:${TAG}",
            "app:tag with space",
            "app:-bad",
            "Upper/App",
            "app@sha256:xyz",
            "",
            "a/",
            "/a",
            "a//b",
            "a::b",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn docker_reference_grammar() {
        for ok in [
            "nginx",
            "nginx:1.27.0",
            "my_org/my-app__x.y:V1_2",
            "registry.example.com:5000/a/b/c:tag",
            "[::1]:5000/app",
            "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
    }
}
